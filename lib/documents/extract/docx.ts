/**
 * Word documents: bomb-checked with zip-guard, then converted by mammoth to
 * HTML (not raw text) so headings, lists and tables survive, then through the
 * HTML path into `#` headings and paragraphs the chunker understands.
 */
import mammoth from 'mammoth';
import { DocumentRejectedError } from '../../errors.ts';
import type { ExtractLimits, ExtractedText } from '../types.ts';
import { htmlToStructuredText } from './html.ts';
import { asCorrupt, assertFileSize } from './read.ts';
import { surveyZip } from './zip-guard.ts';

const MAIN_PART = 'word/document.xml';
const CORE_PROPERTIES = 'docProps/core.xml';

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXmlText(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (whole, name: string) => {
    if (name[0] !== '#') return XML_ENTITIES[name.toLowerCase()] ?? whole;
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** dc:title from the core properties, the title Word shows in File > Info. */
function coreTitle(xml: Buffer | undefined): string | undefined {
  const match = xml && /<dc:title>([^<]*)<\/dc:title>/.exec(xml.toString('utf8'));
  const title = match?.[1] ? decodeXmlText(match[1]).trim() : '';
  return title || undefined;
}

/** Images are never read or inlined: only their absence from the text matters. */
const dropImages = mammoth.images.imgElement(async () => ({ src: '' }));

export async function extractDocx(filePath: string, limits: ExtractLimits): Promise<ExtractedText> {
  const fileBytes = await assertFileSize(filePath, limits);
  let survey;
  try {
    survey = await surveyZip(filePath, fileBytes, limits, new Set([CORE_PROPERTIES]));
  } catch (error) {
    throw asCorrupt(error, 'Word document (zip)');
  }
  if (!survey.names.has(MAIN_PART)) {
    throw new DocumentRejectedError('E_UNSUPPORTED_TYPE', `The archive has no ${MAIN_PART}: it is not a Word document`);
  }
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ path: filePath }, { convertImage: dropImages, externalFileAccess: false })).value;
  } catch (error) {
    throw asCorrupt(error, 'Word document');
  }
  const { text, title } = htmlToStructuredText(html);
  return { text, title: coreTitle(survey.small.get(CORE_PROPERTIES)) ?? title };
}

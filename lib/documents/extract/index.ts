/**
 * One entry point for text extraction: picks the extractor for a sniffed type,
 * normalizes the result and applies the limits every format shares.
 */
import { DocumentRejectedError } from '../../errors.ts';
import { normalizeText } from '../normalize.ts';
import { resolveExtractLimits, type DocumentType, type ExtractLimits, type ExtractedText } from '../types.ts';
import { extractDocx } from './docx.ts';
import { extractHtml } from './html.ts';
import { extractPdf } from './pdf-sandbox.ts';
import { tooMuchText } from './read.ts';
import { extractMarkdown, extractPlainText } from './text.ts';

type Extractor = (filePath: string, limits: ExtractLimits) => Promise<ExtractedText>;

const EXTRACTORS: Record<DocumentType, Extractor> = {
  txt: extractPlainText,
  md: extractMarkdown,
  html: extractHtml,
  pdf: extractPdf,
  docx: extractDocx,
  png: needsOcr,
  jpeg: needsOcr,
  tiff: needsOcr,
};

/** An image has no text layer: its text comes from the OCR activity (lib/documents/ocr), not from here. */
async function needsOcr(_filePath: string): Promise<ExtractedText> {
  throw new DocumentRejectedError('E_NO_TEXT', 'The document is an image: its text needs OCR');
}

/** A title is one line of reasonable length; metadata fields sometimes hold paragraphs. */
function cleanTitle(title: string | undefined): string | undefined {
  const line = title === undefined ? '' : normalizeText(title).replace(/\s+/g, ' ');
  return line ? line.slice(0, 300) : undefined;
}

/**
 * Extracts the text of the file at `filePath`, which `sniffDocumentType` found
 * to be `type`. The text comes back normalized (`normalizeText`). Limits not
 * given take the defaults of `DEFAULT_EXTRACT_LIMITS`.
 *
 * Throws `DocumentRejectedError` for documents that can never be ingested:
 * E_NO_TEXT, E_ENCRYPTED_PDF, E_CORRUPT_DOCUMENT, E_DECOMPRESSION_BOMB,
 * E_DOCUMENT_TOO_LARGE, E_EMPTY_DOCUMENT, E_UNSUPPORTED_TYPE. File system
 * errors (missing file, I/O) pass through unchanged: those may be transient.
 */
export async function extractText(filePath: string, type: DocumentType, limits: Partial<ExtractLimits> = {}): Promise<ExtractedText> {
  const resolved = resolveExtractLimits(limits);
  const extractor = EXTRACTORS[type];
  if (!extractor) throw new DocumentRejectedError('E_UNSUPPORTED_TYPE', `Unsupported document type: ${String(type)}`);
  const raw = await extractor(filePath, resolved);
  if (raw.text.length > resolved.maxExtractedChars * 2) throw tooMuchText(resolved);
  const text = normalizeText(raw.text);
  if (text.length > resolved.maxExtractedChars) throw tooMuchText(resolved);
  if (text === '') throw new DocumentRejectedError('E_NO_TEXT', 'The document contains no text');
  const title = cleanTitle(raw.title);
  return {
    text,
    ...(title ? { title } : {}),
    ...(raw.pages !== undefined ? { pages: raw.pages } : {}),
    ...(raw.frontMatter ? { frontMatter: raw.frontMatter } : {}),
  };
}

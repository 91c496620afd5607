/**
 * PDF text through pdfjs-dist's legacy (Node) build, run inside the sandbox
 * process of pdf-sandbox.ts (call `extractPdf` from there). pdfjs runs with its
 * in-thread "fake worker", never evaluates code from the file, loads no fonts
 * for display and fetches nothing over the network. It does read the Adobe
 * CMaps shipped inside pdfjs-dist from disk: without them, Chinese PDFs that
 * use the standard CID fonts (STSong-Light and friends) yield no text at all.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { DocumentRejectedError } from '../../errors.ts';
import type { ExtractLimits, ExtractedText } from '../types.ts';
import { pageTextFromRuns, type PositionedRun } from './pdf-lines.ts';
import { asCorrupt, readDocumentBytes, tooMuchText } from './read.ts';

type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

let pdfjs: Promise<Pdfjs> | undefined;
/** Loaded on first use: pdfjs is large and most workers never see a PDF. */
const loadPdfjs = () => (pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs'));

const pdfjsRoot = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

/** Text runs are reported with `str`; marked-content markers are not. */
function isRun<T>(item: T): item is T & PositionedRun {
  return typeof item === 'object' && item !== null && typeof (item as { str?: unknown }).str === 'string';
}

/** Word exports call themselves "Microsoft Word - name.docx"; the name is the useful part. */
function cleanTitle(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const title = raw.replace(/^Microsoft Word - /, '').replace(/\.docx?$/i, '').trim();
  return title || undefined;
}

function classify(error: unknown): DocumentRejectedError {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'PasswordException') {
    return new DocumentRejectedError('E_ENCRYPTED_PDF', 'The PDF is password-protected', { cause: error });
  }
  return asCorrupt(error, 'PDF');
}

/** Reads a PDF in this process; only the sandbox child calls it, because a hostile PDF can exhaust memory. */
export async function readPdfText(filePath: string, limits: ExtractLimits): Promise<ExtractedText> {
  const data = new Uint8Array(await readDocumentBytes(filePath, limits));
  const { getDocument, VerbosityLevel } = await loadPdfjs();
  const task = getDocument({
    data,
    verbosity: VerbosityLevel.ERRORS, // pdfjs would otherwise print a warning to stdout for every odd font
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    useWorkerFetch: false,
    isOffscreenCanvasSupported: false,
    enableXfa: false,
    cMapUrl: `${pdfjsRoot}/cmaps/`,
    cMapPacked: true,
    standardFontDataUrl: `${pdfjsRoot}/standard_fonts/`,
    wasmUrl: `${pdfjsRoot}/wasm/`,
  });
  try {
    const doc = await task.promise.catch((error: unknown) => {
      throw classify(error);
    });
    if (doc.numPages > limits.maxPdfPages) {
      throw new DocumentRejectedError(
        'E_DOCUMENT_TOO_LARGE',
        `The PDF has ${doc.numPages} pages; the limit is ${limits.maxPdfPages}`,
      );
    }
    const pages: string[] = [];
    let chars = 0;
    let failedPages = 0;
    let firstFailure: unknown;
    for (let number = 1; number <= doc.numPages; number++) {
      try {
        const page = await doc.getPage(number);
        const content = await page.getTextContent();
        const text = pageTextFromRuns(content.items.filter(isRun));
        page.cleanup();
        chars += text.length;
        if (chars > limits.maxExtractedChars) throw tooMuchText(limits);
        if (text) pages.push(text);
      } catch (error) {
        if (error instanceof DocumentRejectedError) throw error;
        // One broken page should not lose the rest of the document.
        failedPages++;
        firstFailure ??= error;
      }
    }
    if (failedPages === doc.numPages) throw classify(firstFailure);
    const text = pages.join('\n\n');
    // Page numbers and stray marks are all a scan without OCR has; with no letter there is nothing to index.
    if (!/\p{L}/u.test(text)) {
      throw new DocumentRejectedError('E_NO_TEXT', 'The PDF has no extractable text (scanned pages need OCR)');
    }
    const info = await doc.getMetadata().catch(() => undefined);
    return { text, title: cleanTitle((info?.info as { Title?: unknown } | undefined)?.Title), pages: doc.numPages };
  } finally {
    await task.destroy().catch(() => undefined);
  }
}

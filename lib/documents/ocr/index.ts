/**
 * OCR of scanned documents: PDFs without a text layer and PNG, JPEG or TIFF
 * images, with Tesseract (Debian's tesseract-ocr, `chi_sim` and `eng`) in child
 * processes, one page at a time, each page and the whole document under a time
 * limit. Installed by scripts/setup-ocr.sh; without it, scanned documents are
 * refused with E_NO_TEXT as before.
 */
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DocumentRejectedError } from '../../errors.ts';
import { isImageDocumentType, type DocumentType } from '../types.ts';
import { ChildStoppedError } from './child.ts';
import { readImageInfo } from './image-info.ts';
import { MAX_PAGE_PIXELS, readPdfLayout, renderDpi, renderPdfPage } from './pdf-pages.ts';
import { ocrTools, recognizeImage } from './tesseract.ts';
import { cleanOcrText } from './text.ts';

export { removeCjkSpaces, cleanOcrText } from './text.ts';
export { MAX_PAGE_PIXELS } from './pdf-pages.ts';

export const DEFAULT_OCR_LANGUAGES = 'chi_sim+eng';

export interface OcrOptions {
  /** Most pages read; a longer document is refused (E_OCR_PAGE_LIMIT), never cut short. Default 50. */
  maxPages?: number;
  /** Time for one page, rendering included (E_OCR_TIMEOUT). Default 60 s. */
  pageTimeoutMs?: number;
  /** Time for the whole document (E_OCR_TIMEOUT). Default 10 min. */
  totalTimeoutMs?: number;
  /** Tesseract languages joined by `+`. Default `chi_sim+eng`. */
  languages?: string;
  /** Most characters of recognised text (E_DOCUMENT_TOO_LARGE). Default 20 million, as for extraction. */
  maxChars?: number;
  /** Called after each page is read, with its number (from 1) and the page count; awaited. */
  onPage?: (page: number, pages: number) => void | Promise<void>;
  /** Stops the running tool at once (a cancelled activity); the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Where the per-document temporary folder goes (rendered pages). Default the OS temp dir. */
  tempRoot?: string;
}

export interface OcrResult {
  /** Normalized text (`normalizeText`), pages separated by a blank line. */
  text: string;
  pages: number;
}

type Resolved = Required<Omit<OcrOptions, 'onPage' | 'signal'>> & Pick<OcrOptions, 'onPage' | 'signal'>;

function resolve(options: OcrOptions): Resolved {
  return {
    maxPages: options.maxPages ?? 50,
    pageTimeoutMs: options.pageTimeoutMs ?? 60_000,
    totalTimeoutMs: options.totalTimeoutMs ?? 600_000,
    languages: options.languages ?? DEFAULT_OCR_LANGUAGES,
    maxChars: options.maxChars ?? 20_000_000,
    tempRoot: options.tempRoot ?? tmpdir(),
    onPage: options.onPage,
    signal: options.signal,
  };
}

/** True when tesseract with `languages`, pdftoppm and pdfinfo can run here (checked once per process). */
export async function isOcrAvailable(languages: string = DEFAULT_OCR_LANGUAGES): Promise<boolean> {
  return (await ocrTools(languages)).ok;
}

/** How to read page n (from 1) of one document into text, within `timeoutMs`. */
type PageReader = (page: number, directory: string, timeoutMs: number) => Promise<string>;

async function planPdf(filePath: string, o: Resolved): Promise<{ pages: number; read: PageReader }> {
  const layout = await readPdfLayout(filePath, o.maxPages, { timeoutMs: Math.min(30_000, o.totalTimeoutMs), signal: o.signal });
  return {
    pages: layout.pages,
    read: async (page, directory, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      const dpi = renderDpi(layout.sizes[page - 1]);
      const image = await renderPdfPage(filePath, page, dpi, directory, { timeoutMs, signal: o.signal });
      try {
        return await recognizeImage(image, { languages: o.languages, dpi, timeoutMs: Math.max(1, deadline - Date.now()), signal: o.signal });
      } finally {
        await unlink(image).catch(() => {}); // one page on disk at a time
      }
    },
  };
}

async function planImage(filePath: string, type: 'png' | 'jpeg' | 'tiff', o: Resolved): Promise<{ pages: number; read: PageReader }> {
  const info = await readImageInfo(filePath, type, o.maxPages);
  if (info.width * info.height > MAX_PAGE_PIXELS) {
    throw new DocumentRejectedError(
      'E_DOCUMENT_TOO_LARGE',
      `The image is ${info.width} × ${info.height} pixels; OCR reads at most ${MAX_PAGE_PIXELS / 1e6} million pixels a page`,
    );
  }
  return {
    pages: info.pages,
    read: (page, _directory, timeoutMs) =>
      recognizeImage(filePath, {
        languages: o.languages,
        timeoutMs,
        signal: o.signal,
        ...(type === 'tiff' ? { tiffPage: page - 1 } : {}),
      }),
  };
}

/**
 * Recognises the text of a scanned document at `filePath` that sniffing typed as
 * `type` (pdf, png, jpeg or tiff), page by page. Throws DocumentRejectedError:
 * E_NO_TEXT when OCR is not installed or recognises no letter, E_OCR_PAGE_LIMIT,
 * E_OCR_TIMEOUT, E_DOCUMENT_TOO_LARGE (pixels, text), E_CORRUPT_DOCUMENT,
 * E_UNSUPPORTED_TYPE for other types. Tool faults are plain (retryable) errors.
 * Its temporary files are removed whatever happens.
 */
export async function recognizeText(filePath: string, type: DocumentType, options: OcrOptions = {}): Promise<OcrResult> {
  const o = resolve(options);
  if (type !== 'pdf' && !isImageDocumentType(type)) {
    throw new DocumentRejectedError('E_UNSUPPORTED_TYPE', `OCR reads PDFs and PNG, JPEG or TIFF images, not ${type}`);
  }
  const tools = await ocrTools(o.languages);
  if (!tools.ok) {
    throw new DocumentRejectedError('E_NO_TEXT', `The document has no text layer and OCR is not available (missing: ${tools.missing.join(', ')})`);
  }
  const started = Date.now();
  const deadline = started + o.totalTimeoutMs;
  const plan = await withTimeouts(() => (type === 'pdf' ? planPdf(filePath, o) : planImage(filePath, type, o)), o, () =>
    `Counting the pages of the scanned document took longer than ${Math.min(30_000, o.totalTimeoutMs) / 1000} s`,
  );
  if (plan.pages > o.maxPages) {
    throw new DocumentRejectedError('E_OCR_PAGE_LIMIT', `The scanned document has more than ${o.maxPages} pages, the OCR limit (OCR_MAX_PAGES)`);
  }

  const directory = await mkdtemp(path.join(o.tempRoot, 'aistack-ocr-'));
  try {
    const texts: string[] = [];
    let characters = 0;
    for (let page = 1; page <= plan.pages; page++) {
      const budget = Math.min(o.pageTimeoutMs, deadline - Date.now());
      if (budget <= 0) throw timeoutError(totalTimeout(o));
      const text = await withTimeouts(() => plan.read(page, directory, budget), o, () =>
        budget < o.pageTimeoutMs ? totalTimeout(o) : `OCR of page ${page} took longer than ${o.pageTimeoutMs / 1000} s (OCR_PAGE_TIMEOUT_MS)`,
      );
      characters += text.length;
      if (characters > o.maxChars * 2) throw tooMuchText(o);
      texts.push(text);
      await o.onPage?.(page, plan.pages);
    }
    const text = cleanOcrText(texts);
    if (text.length > o.maxChars) throw tooMuchText(o);
    if (!/\p{L}/u.test(text)) throw new DocumentRejectedError('E_NO_TEXT', 'OCR recognised no text in the scanned document');
    return { text, pages: plan.pages };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Turns a stopped child into the caller's verdict: a timeout, too much output, or the abort reason. */
async function withTimeouts<T>(work: () => Promise<T>, o: Resolved, describeTimeout: () => string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ChildStoppedError)) throw error;
    if (error.reason === 'aborted') throw o.signal?.reason ?? error;
    if (error.reason === 'output') throw tooMuchText(o);
    throw timeoutError(describeTimeout());
  }
}

const totalTimeout = (o: Resolved) =>
  `OCR of the scanned document took longer than ${o.totalTimeoutMs / 1000} s in all (OCR_TOTAL_TIMEOUT_MS)`;

function timeoutError(message: string): DocumentRejectedError {
  return new DocumentRejectedError('E_OCR_TIMEOUT', message);
}

function tooMuchText(o: Resolved): DocumentRejectedError {
  return new DocumentRejectedError('E_DOCUMENT_TOO_LARGE', `OCR produced more than ${o.maxChars} characters of text`);
}

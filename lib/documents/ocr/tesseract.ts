/** The Tesseract and Poppler command-line tools: whether they are here, and one page of OCR. */
import { DocumentRejectedError } from '../../errors.ts';
import { ChildStoppedError, runChild } from './child.ts';

/**
 * Tesseract parallelises one page with OpenMP. On the worker's two cores,
 * shared with the embedding thread, two OpenMP threads made a page 1.5–3.4 s
 * instead of a steady 1.3–1.6 s with one, and starved everything beside it.
 */
const TESSERACT_ENV = { ...process.env, OMP_THREAD_LIMIT: '1' };

/**
 * Page segmentation mode 3, fully automatic layout without orientation
 * detection (Tesseract's default, stated here on purpose): scans of contracts
 * and invoices have columns, tables and headers, which mode 6 (one uniform
 * block) reads across; orientation detection (mode 1) needs the `osd` model and
 * guesses poorly on Chinese.
 */
const PAGE_SEGMENTATION_MODE = '3';

/** Text of one page is a few KB; a megabyte means something is wrong. */
const MAX_PAGE_TEXT_BYTES = 1024 * 1024;

export interface OcrTools {
  ok: boolean;
  /** What is missing, for the message of the E_NO_TEXT rejection. */
  missing: string[];
}

async function exitsCleanly(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    const result = await runChild(command, args, { timeoutMs: 10_000, maxStdoutBytes: 64 * 1024, env });
    return result.code === 0 ? result.stdout.toString('utf8') : undefined;
  } catch {
    return undefined; // ENOENT, or hung: either way not usable
  }
}

async function detectTools(languages: string): Promise<OcrTools> {
  const [langs, pdftoppm, pdfinfo] = await Promise.all([
    exitsCleanly('tesseract', ['--list-langs'], TESSERACT_ENV),
    exitsCleanly('pdftoppm', ['-v']),
    exitsCleanly('pdfinfo', ['-v']),
  ]);
  const missing: string[] = [];
  if (langs === undefined) missing.push('tesseract');
  else {
    const installed = new Set(langs.split('\n').slice(1).map((l) => l.trim()));
    for (const lang of languages.split('+')) if (!installed.has(lang)) missing.push(`tesseract language ${lang}`);
  }
  if (pdftoppm === undefined) missing.push('pdftoppm');
  if (pdfinfo === undefined) missing.push('pdfinfo');
  return { ok: missing.length === 0, missing };
}

const detected = new Map<string, Promise<OcrTools>>();

/** Checks once per process (and language set) that tesseract with `languages`, pdftoppm and pdfinfo run. */
export function ocrTools(languages: string): Promise<OcrTools> {
  let tools = detected.get(languages);
  if (!tools) {
    tools = detectTools(languages);
    detected.set(languages, tools);
  }
  return tools;
}

export interface RecognizeImageOptions {
  languages: string;
  timeoutMs: number;
  /** Page of a multi-page TIFF, from 0; Tesseract reads only that directory. */
  tiffPage?: number;
  /** Resolution of a page we rendered; images from uploads carry their own or are estimated. */
  dpi?: number;
  signal?: AbortSignal;
}

/**
 * Recognises the text of one image file (one page). Throws ChildStoppedError on
 * timeout or abort, E_CORRUPT_DOCUMENT when the image cannot be decoded, and a
 * plain (retryable) Error for anything else.
 *
 * The caller must have checked the file's signature: Tesseract takes a file of
 * an unknown format for a list of image paths and would open each one.
 */
export async function recognizeImage(imagePath: string, options: RecognizeImageOptions): Promise<string> {
  const args = [imagePath, 'stdout', '-l', options.languages, '--psm', PAGE_SEGMENTATION_MODE];
  if (options.dpi) args.push('--dpi', String(options.dpi));
  if (options.tiffPage !== undefined) args.push('-c', `tessedit_page_number=${options.tiffPage}`);
  const result = await runChild('tesseract', args, {
    timeoutMs: options.timeoutMs,
    maxStdoutBytes: MAX_PAGE_TEXT_BYTES,
    signal: options.signal,
    env: TESSERACT_ENV,
  });
  if (result.code === 0) return result.stdout.toString('utf8');
  if (/pixRead|cannot be read|internal (png|jpeg|tiff) error/i.test(result.stderr)) {
    throw new DocumentRejectedError('E_CORRUPT_DOCUMENT', 'The image could not be decoded for OCR');
  }
  throw new Error(`tesseract exited with ${result.code}: ${lastLine(result.stderr)}`);
}

export function lastLine(stderr: string): string {
  return stderr.trim().split('\n').at(-1)?.slice(0, 300) ?? '';
}

export { ChildStoppedError };

/** A scanned PDF's pages, listed with pdfinfo and rendered one at a time with pdftoppm. */
import path from 'node:path';
import { DocumentRejectedError } from '../../errors.ts';
import { runChild } from './child.ts';
import { lastLine } from './tesseract.ts';

/** Tesseract's models are trained on text of about 10–12 px x-height: 300 dpi for body text. */
export const RENDER_DPI = 300;

/**
 * Most pixels of one page given to Tesseract (A4 at 300 dpi is 8.7 million, A2
 * 35 million). A larger page is rendered at a lower resolution; a larger image
 * upload is refused, since Tesseract allocates its whole bitmap and more.
 */
export const MAX_PAGE_PIXELS = 50_000_000;

export interface PdfLayout {
  /** All pages of the document. */
  pages: number;
  /** Size in points (1/72 inch) of pages 1 … min(pages, page limit). */
  sizes: { width: number; height: number }[];
}

/** Reads the page count and page sizes with `pdfinfo`; sizes only up to `pageLimit`, so a huge document costs nothing. */
export async function readPdfLayout(
  filePath: string,
  pageLimit: number,
  limits: { timeoutMs: number; signal?: AbortSignal },
): Promise<PdfLayout> {
  const result = await runChild('pdfinfo', ['-f', '1', '-l', String(pageLimit), filePath], {
    timeoutMs: limits.timeoutMs,
    maxStdoutBytes: 1024 * 1024,
    signal: limits.signal,
  });
  const out = result.stdout.toString('utf8');
  const pages = /^Pages:\s+(\d+)/m.exec(out);
  if (result.code !== 0 || !pages) {
    throw new DocumentRejectedError('E_CORRUPT_DOCUMENT', `The PDF could not be read for OCR: ${lastLine(result.stderr)}`);
  }
  const sizes = [...out.matchAll(/^Page\s+\d+\s+size:\s+([\d.]+) x ([\d.]+) pts/gm)].map((m) => ({
    width: Number(m[1]),
    height: Number(m[2]),
  }));
  return { pages: Number(pages[1]), sizes };
}

/** 300 dpi, or less for a page so large that 300 dpi would pass `MAX_PAGE_PIXELS`. */
export function renderDpi(size: { width: number; height: number } | undefined): number {
  if (!size || !(size.width > 0) || !(size.height > 0)) return RENDER_DPI;
  const squareInches = (size.width / 72) * (size.height / 72);
  return Math.max(1, Math.min(RENDER_DPI, Math.floor(Math.sqrt(MAX_PAGE_PIXELS / squareInches))));
}

/**
 * Renders page `page` (from 1) as an 8-bit grey PGM into `directory` and returns
 * its path. Grey, not black and white: Tesseract binarises better itself. PGM,
 * not PNG: an A4 page renders in 0.1 s instead of 0.6 s (no compression, and
 * this pdftoppm writes RGB PNGs even with -gray); its 9 MB live only until read.
 */
export async function renderPdfPage(
  filePath: string,
  page: number,
  dpi: number,
  directory: string,
  limits: { timeoutMs: number; signal?: AbortSignal },
): Promise<string> {
  const base = path.join(directory, `page-${page}`);
  const args = ['-r', String(dpi), '-f', String(page), '-l', String(page), '-gray', '-singlefile', filePath, base];
  const result = await runChild('pdftoppm', args, { timeoutMs: limits.timeoutMs, maxStdoutBytes: 64 * 1024, signal: limits.signal });
  // pdftoppm: 1 = the PDF could not be opened or read, 2 = output file, 3 = permissions, 99 = other.
  if (result.code === 1) {
    throw new DocumentRejectedError('E_CORRUPT_DOCUMENT', `Page ${page} of the PDF could not be rendered for OCR: ${lastLine(result.stderr)}`);
  }
  if (result.code !== 0) throw new Error(`pdftoppm exited with ${result.code}: ${lastLine(result.stderr)}`);
  return `${base}.pgm`;
}

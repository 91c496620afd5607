/** File reading shared by the extractors, bounded by the upload limit. */
import { readFile, stat } from 'node:fs/promises';
import { DocumentRejectedError } from '../../errors.ts';
import type { ExtractLimits } from '../types.ts';

/** Rejects files over `maxFileBytes` before reading them into memory. */
export async function assertFileSize(filePath: string, limits: ExtractLimits): Promise<number> {
  const { size } = await stat(filePath);
  if (size > limits.maxFileBytes) {
    throw new DocumentRejectedError(
      'E_DOCUMENT_TOO_LARGE',
      `The file is ${size} bytes; the limit is ${limits.maxFileBytes} bytes`,
    );
  }
  if (size === 0) throw new DocumentRejectedError('E_EMPTY_DOCUMENT', 'The document is empty (0 bytes)');
  return size;
}

export async function readDocumentBytes(filePath: string, limits: ExtractLimits): Promise<Buffer> {
  await assertFileSize(filePath, limits);
  return readFile(filePath);
}

export function tooMuchText(limits: ExtractLimits): DocumentRejectedError {
  return new DocumentRejectedError(
    'E_DOCUMENT_TOO_LARGE',
    `The document holds more than ${limits.maxExtractedChars} characters of text`,
  );
}

/** Parsers throw all kinds of errors on malformed input; our own rejections pass through unchanged. */
export function asCorrupt(error: unknown, what: string): DocumentRejectedError {
  if (error instanceof DocumentRejectedError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new DocumentRejectedError('E_CORRUPT_DOCUMENT', `The ${what} could not be read: ${detail}`, { cause: error });
}

/**
 * Decides a document's type from its bytes, never from its name: an upload
 * called report.pdf may be anything, and the extractor chosen here will parse it.
 */
import { open } from 'node:fs/promises';
import { fileTypeFromBuffer } from 'file-type';
import { DocumentRejectedError } from '../errors.ts';
import { decodeWith, detectEncoding } from './encoding.ts';
import { classifyText } from './text-kind.ts';
import type { DocumentType, ImageDocumentType } from './types.ts';

export type { DocumentType };

/** file-type's name for each image format we OCR (an animated PNG is read by its first frame). */
const IMAGE_TYPES_BY_EXT = new Map<string, ImageDocumentType>([['png', 'png'], ['apng', 'png'], ['jpg', 'jpeg'], ['tif', 'tiff']]);

/** How many leading bytes sniffing looks at. */
export const SNIFF_BYTES = 64 * 1024;

/** Zero-width and byte-order-mark characters count as blank, like whitespace. */
const BLANK = /^[\s\u200B-\u200D\u2060\uFEFF]*$/;

/**
 * `%PDF-` opens a PDF; readers also accept it after some leading junk (up to
 * 1 KB), but only binary junk: a text file that mentions "%PDF-" is still text.
 */
function isPdf(head: Uint8Array): boolean {
  const at = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, 1024)).indexOf('%PDF-');
  if (at < 0) return false;
  const prefix = head.subarray(0, at);
  const onlyWhitespace = prefix.every((b) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d);
  const hasBinary = prefix.some((b) => b < 0x09 || (b > 0x0d && b < 0x20));
  return onlyWhitespace || hasBinary;
}

/**
 * Decodes the head as text, or returns undefined when it is binary: any NUL, or
 * more than 1% control characters or undecodable bytes (random bytes give ~12%).
 * Two bad characters are forgiven because the head may end inside a character.
 */
export function decodeTextHead(head: Uint8Array): string | undefined {
  const text = decodeWith(head, detectEncoding(head, { complete: false }));
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return undefined;
    const control = (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x1b) || (c >= 0x7f && c <= 0x9f);
    if (control || c === 0xfffd) bad++;
  }
  return bad <= Math.max(2, text.length * 0.01) ? text : undefined;
}

async function detectBinaryFormat(head: Uint8Array): Promise<{ ext: string; mime: string } | undefined> {
  try {
    return await fileTypeFromBuffer(head);
  } catch {
    // file-type parses container headers; a malformed one is simply "not recognised".
    return undefined;
  }
}

/**
 * The document type of a file from its first bytes (pass up to `SNIFF_BYTES`).
 * Throws `DocumentRejectedError` E_EMPTY_DOCUMENT for no content (zero bytes,
 * whitespace or a lone BOM) and E_UNSUPPORTED_TYPE for anything else that is
 * not txt, md, html, pdf, docx or a PNG, JPEG or TIFF image (other images,
 * executables, other archives, xlsx, RTF, XML, binary data).
 *
 * `filenameHint`, the uploaded file's name, only chooses between Markdown and
 * plain text (and overrules a weak HTML guess); it never makes bytes text.
 */
export async function sniffDocumentType(head: Uint8Array, filenameHint?: string): Promise<DocumentType> {
  if (head.byteLength === 0) throw new DocumentRejectedError('E_EMPTY_DOCUMENT', 'The document is empty (0 bytes)');
  if (isPdf(head)) return 'pdf';

  const binary = await detectBinaryFormat(head);
  if (binary?.ext === 'docx') return 'docx';
  // Scans and photos; their text comes from OCR. Other image formats stay unsupported.
  const image = binary && IMAGE_TYPES_BY_EXT.get(binary.ext);
  if (image) return image;

  // Text may share its first bytes with a short binary signature ("BM", "MZ",
  // "solid "), so a clean decode wins over those; real binaries never decode cleanly.
  const text = decodeTextHead(head);
  if (text === undefined) {
    const what = binary ? `${binary.mime} (.${binary.ext})` : 'binary data';
    throw new DocumentRejectedError('E_UNSUPPORTED_TYPE', `Unsupported document type: ${what}`);
  }
  if (BLANK.test(text)) throw new DocumentRejectedError('E_EMPTY_DOCUMENT', 'The document contains only whitespace');
  return classifyText(text, filenameHint);
}

/** Reads the first `SNIFF_BYTES` of a file and sniffs them. */
export async function sniffDocumentFile(filePath: string, filenameHint?: string): Promise<DocumentType> {
  const handle = await open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return await sniffDocumentType(buffer.subarray(0, bytesRead), filenameHint);
  } finally {
    await handle.close();
  }
}

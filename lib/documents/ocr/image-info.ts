/**
 * Page count and pixel size of an uploaded image, read from its headers before
 * OCR: a 200-byte PNG can declare 100,000 × 100,000 pixels, which Tesseract
 * would try to allocate (tens of GB), and a TIFF can hold thousands of pages.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { DocumentRejectedError } from '../../errors.ts';
import type { ImageDocumentType } from '../types.ts';

export interface ImageInfo {
  /** Pages (TIFF directories); counting stops at `pageLimit + 1`. */
  pages: number;
  /** Width and height of the largest page counted, in pixels. */
  width: number;
  height: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const corrupt = (detail: string) => new DocumentRejectedError('E_CORRUPT_DOCUMENT', `The image could not be read: ${detail}`);

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  if (bytesRead < length) throw corrupt('it ends inside a header');
  return buffer;
}

/** PNG: the IHDR chunk comes first, right after the 8-byte signature. */
async function pngInfo(file: FileHandle): Promise<ImageInfo> {
  const head = await readAt(file, 0, 24);
  if (!head.subarray(0, 8).equals(PNG_SIGNATURE)) throw corrupt('not a PNG signature');
  if (head.toString('latin1', 12, 16) !== 'IHDR') throw corrupt('PNG without an IHDR header');
  return { pages: 1, width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}

/** JPEG: walks the marker segments up to the first start-of-frame (SOF0–SOF15 but DHT, JPG, DAC). */
async function jpegInfo(file: FileHandle, size: number): Promise<ImageInfo> {
  const start = await readAt(file, 0, 3);
  if (start[0] !== 0xff || start[1] !== 0xd8 || start[2] !== 0xff) throw corrupt('not a JPEG signature');
  let at = 2;
  while (at + 4 <= size) {
    const marker = await readAt(file, at, 4);
    if (marker[0] !== 0xff) throw corrupt('JPEG marker expected');
    const type = marker[1]!;
    if (type === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (type === 0xd8 || (type >= 0xd0 && type <= 0xd7) || type === 0x01) {
      at += 2; // markers without a length
      continue;
    }
    const length = marker.readUInt16BE(2);
    if (type >= 0xc0 && type <= 0xcf && type !== 0xc4 && type !== 0xc8 && type !== 0xcc) {
      const frame = await readAt(file, at + 4, 5);
      return { pages: 1, height: frame.readUInt16BE(1), width: frame.readUInt16BE(3) };
    }
    if (type === 0xd9 || type === 0xda || length < 2) break; // end of image or scan data before any frame
    at += 2 + length;
  }
  throw corrupt('JPEG without a frame header');
}

/**
 * TIFF and BigTIFF: follows the chain of image file directories, one per page,
 * reading ImageWidth (256) and ImageLength (257). A chain that loops is corrupt.
 */
async function tiffInfo(file: FileHandle, pageLimit: number): Promise<ImageInfo> {
  const head = await readAt(file, 0, 16);
  const little = head.toString('latin1', 0, 2) === 'II';
  if (!little && head.toString('latin1', 0, 2) !== 'MM') throw corrupt('TIFF without a byte-order mark');
  const u16 = (b: Buffer, o: number) => (little ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number) => (little ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u64 = (b: Buffer, o: number) => Number(little ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  const big = u16(head, 2) === 43;
  if (big && (u16(head, 4) !== 8 || u16(head, 6) !== 0)) throw corrupt('BigTIFF with an unknown offset size');
  if (!big && u16(head, 2) !== 42) throw corrupt('TIFF with an unknown version');
  const [countBytes, entryBytes, offsetBytes] = big ? [8, 20, 8] : [2, 12, 4];
  const readOffset = (b: Buffer, o: number) => (big ? u64(b, o) : u32(b, o));

  let next = big ? u64(head, 8) : u32(head, 4);
  const seen = new Set<number>();
  const info: ImageInfo = { pages: 0, width: 0, height: 0 };
  while (next !== 0 && info.pages <= pageLimit) {
    if (seen.has(next)) throw corrupt('TIFF directories form a loop');
    seen.add(next);
    const countBuffer = await readAt(file, next, countBytes);
    const entries = big ? u64(countBuffer, 0) : u16(countBuffer, 0);
    if (entries > 10_000) throw corrupt('TIFF directory with too many entries');
    const ifd = await readAt(file, next + countBytes, entries * entryBytes + offsetBytes);
    let width = 0;
    let height = 0;
    for (let i = 0; i < entries; i++) {
      const entry = i * entryBytes;
      const tag = u16(ifd, entry);
      if (tag !== 256 && tag !== 257) continue;
      const valueAt = entry + (big ? 12 : 8);
      const fieldType = u16(ifd, entry + 2);
      const value = fieldType === 3 ? u16(ifd, valueAt) : fieldType === 16 ? u64(ifd, valueAt) : u32(ifd, valueAt);
      if (tag === 256) width = value;
      else height = value;
    }
    if (width * height > info.width * info.height) Object.assign(info, { width, height });
    info.pages++;
    next = readOffset(ifd, entries * entryBytes);
  }
  if (info.pages === 0) throw corrupt('TIFF without pages');
  return info;
}

/**
 * Reads the headers of an image that sniffing typed as `type`, checking its
 * signature again: Tesseract must never see a file of a format it does not know,
 * which it would take for a list of paths to open.
 */
export async function readImageInfo(filePath: string, type: ImageDocumentType, pageLimit: number): Promise<ImageInfo> {
  const file = await open(filePath, 'r');
  try {
    const { size } = await file.stat();
    if (type === 'png') return await pngInfo(file);
    if (type === 'jpeg') return await jpegInfo(file, size);
    return await tiffInfo(file, pageLimit);
  } finally {
    await file.close();
  }
}

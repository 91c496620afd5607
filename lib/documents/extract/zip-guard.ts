/**
 * Decompression-bomb defence for zip containers (docx), in two passes.
 *
 * 1. Before anything is inflated, the central directory's declared sizes are
 *    checked: entry count, total uncompressed bytes, and the compression ratio
 *    of each large entry and of the whole archive.
 * 2. Declared sizes can lie, so every entry is then inflated as a stream and
 *    discarded, counting the real bytes: an entry that inflates past its
 *    declared size, or an archive past the total limit, stops the pass.
 *    Only after that does mammoth (which trusts the zip) open the file.
 *
 * Memory stays bounded: pass 2 holds one inflate window, never an entry.
 */
import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { DocumentRejectedError } from '../../errors.ts';
import type { ExtractLimits } from '../types.ts';

/** Small entries compress well by nature (repetitive XML); ratios only mean something above this size. */
const RATIO_MIN_BYTES = 1024 * 1024;

export interface ZipSurvey {
  names: Set<string>;
  /** Contents of small entries asked for by name (e.g. docProps/core.xml), read during pass 2. */
  small: Map<string, Buffer>;
}

const bomb = (message: string) => new DocumentRejectedError('E_DECOMPRESSION_BOMB', message);

/**
 * `validateEntrySizes` is off because we check the same thing ourselves while
 * inflating, and so can report a lying header as a bomb rather than as an
 * anonymous stream error.
 */
function openZip(filePath: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(filePath, { lazyEntries: true, autoClose: false, validateEntrySizes: false }, (error, zip) => {
      if (error || !zip) reject(error ?? new Error('no zip file'));
      else resolve(zip);
    });
  });
}

/** Visits entries one at a time; `visit` finishes with an entry before the next is read. */
function eachEntry(zip: ZipFile, visit: (entry: Entry) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      reject(error);
    };
    zip.on('error', fail);
    zip.on('end', () => {
      if (!failed) resolve();
    });
    zip.on('entry', (entry: Entry) => {
      visit(entry).then(() => {
        if (!failed) zip.readEntry();
      }, fail);
    });
    zip.readEntry();
  });
}

function checkDeclaredSizes(zip: ZipFile, fileBytes: number, limits: ExtractLimits): Promise<Set<string>> {
  if (zip.entryCount > limits.maxZipEntries) {
    return Promise.reject(bomb(`The archive has ${zip.entryCount} entries; the limit is ${limits.maxZipEntries}`));
  }
  const names = new Set<string>();
  let total = 0;
  return eachEntry(zip, async (entry) => {
    names.add(entry.fileName);
    total += entry.uncompressedSize;
    if (total > limits.maxDocxUncompressedBytes) {
      throw bomb(`The archive declares more than ${limits.maxDocxUncompressedBytes} uncompressed bytes`);
    }
    const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
    if (entry.uncompressedSize > RATIO_MIN_BYTES && ratio > limits.maxCompressionRatio) {
      throw bomb(`Entry ${entry.fileName} expands ${Math.round(ratio)}:1; the limit is ${limits.maxCompressionRatio}:1`);
    }
  }).then(() => {
    if (total > RATIO_MIN_BYTES && total / Math.max(fileBytes, 1) > limits.maxCompressionRatio) {
      throw bomb(`The archive expands ${Math.round(total / fileBytes)}:1; the limit is ${limits.maxCompressionRatio}:1`);
    }
    return names;
  });
}

function openEntry(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream) reject(error ?? new Error('no stream'));
      else resolve(stream);
    });
  });
}

function inflateAndCount(zip: ZipFile, limits: ExtractLimits, keep: ReadonlySet<string>, small: Map<string, Buffer>) {
  let total = 0;
  return eachEntry(zip, async (entry) => {
    if (entry.fileName.endsWith('/')) return;
    const stream = await openEntry(zip, entry);
    const kept: Buffer[] = [];
    let entryBytes = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        entryBytes += chunk.length;
        total += chunk.length;
        if (entryBytes > entry.uncompressedSize) throw bomb(`Entry ${entry.fileName} inflates past its declared size`);
        if (total > limits.maxDocxUncompressedBytes) {
          throw bomb(`The archive inflates past ${limits.maxDocxUncompressedBytes} bytes`);
        }
        if (keep.has(entry.fileName) && entryBytes <= RATIO_MIN_BYTES) kept.push(chunk);
      }
    } finally {
      stream.destroy();
    }
    if (kept.length > 0 && entryBytes <= RATIO_MIN_BYTES) small.set(entry.fileName, Buffer.concat(kept));
  });
}

/**
 * Proves a zip safe to hand to a parser that inflates it fully, or throws
 * E_DECOMPRESSION_BOMB; a zip yauzl cannot read is E_CORRUPT_DOCUMENT.
 * `keep` names small entries (up to 1 MiB) whose bytes the caller wants.
 */
export async function surveyZip(filePath: string, fileBytes: number, limits: ExtractLimits, keep: ReadonlySet<string> = new Set()): Promise<ZipSurvey> {
  const small = new Map<string, Buffer>();
  let names: Set<string>;
  let zip = await openZip(filePath);
  try {
    names = await checkDeclaredSizes(zip, fileBytes, limits);
  } finally {
    zip.close();
  }
  zip = await openZip(filePath);
  try {
    await inflateAndCount(zip, limits, keep, small);
  } finally {
    zip.close();
  }
  return { names, small };
}

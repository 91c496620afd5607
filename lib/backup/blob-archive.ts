/**
 * The blob store as one tar (npm `tar`), every blob except the backups
 * themselves, with the sha256 of each blob taken from the archive as it is
 * written, so the digest describes exactly what the archive holds.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Pack, Parser, Unpack, type ReadEntry } from 'tar';
import type { BlobStore } from '../blob/port.ts';
import { BACKUPS_PREFIX } from './ids.ts';
import type { BackupManifest } from './types.ts';

export type BlobSummary = BackupManifest['blobs'];

/** A blob that belongs in a backup: not a backup's own file, not a write in progress (`*.partial`). */
export const isBackedUpBlob = (key: string) => !key.startsWith(BACKUPS_PREFIX) && !key.endsWith('.partial');

/** count, total bytes, and the sha256 of the sorted `key sha256` lines. */
export function summarize(files: Map<string, { sha256: string; bytes: number }>): BlobSummary {
  const lines = [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, f]) => `${key} ${f.sha256}\n`);
  let bytes = 0;
  for (const f of files.values()) bytes += f.bytes;
  return { count: files.size, bytes, digest: createHash('sha256').update(lines.join('')).digest('hex') };
}

/**
 * A tar stream of every backed-up blob below `blobDir` (the local store's root)
 * and, once it has ended, the summary of what it held. A blob removed between
 * the listing and its turn is left out (and so absent from the summary too).
 */
export async function archiveBlobs(blobs: BlobStore, blobDir: string): Promise<{ archive: Readable; summary: Promise<BlobSummary> }> {
  const keys: string[] = [];
  for await (const { key } of blobs.list('')) if (isBackedUpBlob(key)) keys.push(key);
  keys.sort();
  const pack = new Pack({ cwd: blobDir, portable: true, strict: false, onwarn: () => {} });
  const files = new Map<string, { sha256: string; bytes: number }>();
  const parser = new Parser({
    onReadEntry(entry: ReadEntry) {
      if (entry.type !== 'File') return entry.resume();
      const hash = createHash('sha256');
      let bytes = 0;
      entry.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        bytes += chunk.length;
      });
      entry.on('end', () => files.set(entry.path, { sha256: hash.digest('hex'), bytes }));
    },
  });
  const parsed = new Promise<void>((resolve, reject) => {
    parser.on('end', () => resolve());
    parser.on('error', reject);
  });
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      parser.write(chunk);
      done(null, chunk);
    },
    flush(done) {
      parser.end();
      done();
    },
  });
  for (const key of keys) pack.add(key);
  pack.end();
  const archive = Readable.from(pack as AsyncIterable<Buffer>).pipe(tee);
  return { archive, summary: parsed.then(() => summarize(files)) };
}

/** Unpacks a blob archive into `dir` (tar refuses absolute paths and `..`). */
export async function extractArchive(archive: Readable, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const unpack = new Unpack({ cwd: dir, strict: true });
  // The archive of an empty blob store is tar's end marker alone (zero blocks),
  // which the parser calls a bad archive: nothing to extract is not an error.
  let onlyZeros = true;
  archive.on('data', (chunk: Buffer) => {
    if (onlyZeros && chunk.some((byte) => byte !== 0)) onlyZeros = false;
  });
  await new Promise<void>((resolve, reject) => {
    archive.on('error', reject);
    unpack.on('error', (error: Error & { code?: string }) => {
      if (error.code !== 'TAR_BAD_ARCHIVE' || !onlyZeros) return reject(error);
      archive.destroy();
      resolve();
    });
    unpack.on('close', () => resolve());
    archive.pipe(unpack as unknown as NodeJS.WritableStream);
  });
}

/** Every file below `dir` as blob key → its sha256 and size. */
export async function hashDirectory(dir: string): Promise<Map<string, { sha256: string; bytes: number }>> {
  const files = new Map<string, { sha256: string; bytes: number }>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const hash = createHash('sha256');
    await pipeline(createReadStream(file), new PassThrough().on('data', (c: Buffer) => hash.update(c)).resume());
    files.set(path.relative(dir, file).split(path.sep).join('/'), { sha256: hash.digest('hex'), bytes: (await stat(file)).size });
  }
  return files;
}

/**
 * Makes the live blob store hold exactly the extracted files: each is written
 * (atomically, by BlobStore.put) and every other backed-up blob is removed.
 * Backups' own files stay.
 */
export async function restoreBlobsFrom(blobs: BlobStore, dir: string, files: Map<string, unknown>): Promise<{ written: number; removed: number }> {
  let written = 0;
  for (const key of files.keys()) {
    await blobs.put(key, createReadStream(path.join(dir, ...key.split('/'))));
    written += 1;
  }
  const extra: string[] = [];
  for await (const { key } of blobs.list('')) if (isBackedUpBlob(key) && !files.has(key)) extra.push(key);
  for (const key of extra) await blobs.delete(key);
  return { written, removed: extra.length };
}

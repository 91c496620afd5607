/**
 * A backup part through the pipeline: raw bytes → gzip → (AES-256-GCM) → sha256 →
 * blob storage, and back. The sha256 is of the bytes as stored, so a part is
 * checked before anything reads its content.
 */
import { createHash } from 'node:crypto';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { BlobStore } from '../blob/port.ts';
import { decryptStream, encryptStream } from './crypto.ts';
import type { BackupPart } from './types.ts';

/** zlib's default level (6, pg_dump's too): the usual balance of size and speed (BACKUP_COMPRESSION_LEVEL). */
export const DEFAULT_COMPRESSION_LEVEL = 6;

/** Counts (and optionally hashes) what flows through. */
export function meter(hash?: ReturnType<typeof createHash>): Transform & { bytes: number } {
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      stream.bytes += chunk.length;
      hash?.update(chunk);
      done(null, chunk);
    },
  }) as Transform & { bytes: number };
  stream.bytes = 0;
  return stream;
}

/** Stores `source` as the part `name` under `key`; the blob appears whole or not at all. */
export async function storePart(
  blobs: BlobStore,
  name: BackupPart['name'],
  key: string,
  source: Readable,
  encryptionKey?: Buffer,
  level = DEFAULT_COMPRESSION_LEVEL,
): Promise<BackupPart> {
  const raw = meter();
  const hash = createHash('sha256');
  const stored = meter(hash);
  const stages: NodeJS.ReadWriteStream[] = [raw, createGzip({ level })];
  if (encryptionKey) stages.push(encryptStream(encryptionKey));
  const out = new PassThrough();
  const writing = blobs.put(key, out);
  try {
    await pipeline([source, ...stages, stored, out]);
    await writing;
  } catch (error) {
    out.destroy();
    await writing.catch(() => {});
    throw error;
  }
  return { name, key, bytes: stored.bytes, rawBytes: raw.bytes, sha256: hash.digest('hex') };
}

/** The sha256 and size of a part as stored now. */
export async function digestStored(blobs: BlobStore, key: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  const counter = meter(hash);
  await pipeline(blobs.read(key), counter, new PassThrough().resume());
  return { sha256: hash.digest('hex'), bytes: counter.bytes };
}

/** The part's raw bytes (decrypted, decompressed); check its digest first (digestStored), this does not. */
export function openPart(blobs: BlobStore, part: BackupPart, encryptionKey?: Buffer): Readable {
  const stages: NodeJS.ReadWriteStream[] = [];
  if (encryptionKey) stages.push(decryptStream(encryptionKey));
  stages.push(createGunzip());
  const out = new PassThrough();
  pipeline([blobs.read(part.key), ...stages, out]).catch((error: Error) => out.destroy(error));
  return out;
}

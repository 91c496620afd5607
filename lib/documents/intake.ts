import { createHash, randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import type { BlobStore } from '../blob/port.ts';
import { AppError } from '../errors.ts';
import { stagingPrefix } from './blob-keys.ts';
import { SNIFF_BYTES } from './sniff.ts';

export interface ReceivedUpload {
  /** Where the bytes sit until they are filed under their hash. */
  stagingKey: string;
  sha256: string;
  size: number;
  /** The first bytes, for sniffing the type without reading the blob again. */
  head: Buffer;
}

export class UploadTooLargeError extends AppError {
  constructor(readonly limit: number) {
    super('E_DOCUMENT_TOO_LARGE', `the upload exceeds the limit of ${limit} bytes`);
  }
}

/**
 * Streams an upload into blob storage while hashing and measuring it, so a
 * 50 MB document never sits whole in memory. Past `maxBytes` the stream fails
 * and the partial blob is removed.
 */
export async function receiveUpload(blobs: BlobStore, body: Readable, maxBytes: number): Promise<ReceivedUpload> {
  const hash = createHash('sha256');
  const headParts: Buffer[] = [];
  let size = 0;
  let headSize = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxBytes) return done(new UploadTooLargeError(maxBytes));
      hash.update(chunk);
      if (headSize < SNIFF_BYTES) {
        const part = chunk.subarray(0, SNIFF_BYTES - headSize);
        headParts.push(Buffer.from(part));
        headSize += part.length;
      }
      done(null, chunk);
    },
  });
  const stagingKey = `${stagingPrefix}${randomUUID()}`;
  body.on('error', (error) => meter.destroy(error));
  await blobs.put(stagingKey, body.pipe(meter));
  return { stagingKey, sha256: hash.digest('hex'), size, head: Buffer.concat(headParts) };
}

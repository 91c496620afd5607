import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors.ts';
import type { BlobStore } from './port.ts';

const validKey = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;

/** Blobs as files below one directory; the embedded default. */
export function createLocalBlobStore(root: string): BlobStore {
  const fileOf = (key: string) => {
    if (!validKey.test(key) || key.includes('..')) throw new AppError('E_BLOB_KEY', `invalid blob key: ${key}`);
    return path.join(root, key);
  };
  return {
    async put(key, body) {
      const target = fileOf(key);
      // The body may fail while the directory is made; pipeline below reports that error.
      const holdError = () => {};
      body.on('error', holdError);
      await mkdir(path.dirname(target), { recursive: true }).finally(() => body.off('error', holdError));
      // Write beside the target and rename, so a reader never sees half a blob.
      const partial = `${target}.${randomUUID()}.partial`;
      let size = 0;
      body.on('data', (chunk: Buffer) => (size += chunk.length));
      try {
        await pipeline(body, createWriteStream(partial));
        await rename(partial, target);
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
      return { size };
    },
    async rename(from, to) {
      const target = fileOf(to);
      await mkdir(path.dirname(target), { recursive: true });
      await rename(fileOf(from), target);
    },
    read(key) {
      return createReadStream(fileOf(key));
    },
    async localPath(key) {
      const file = fileOf(key);
      try {
        await access(file);
      } catch (cause) {
        throw new AppError('E_BLOB_MISSING', `blob ${key} is missing`, { cause });
      }
      return file;
    },
    async exists(key) {
      return access(fileOf(key)).then(
        () => true,
        () => false,
      );
    },
    async delete(key) {
      await rm(fileOf(key), { force: true });
    },
  };
}

import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, opendir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
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
    async *list(prefix) {
      const folder = prefix.replace(/\/+$/, '');
      yield* walk(folder ? fileOf(folder) : root, folder);
    },
  };
}

/** Files below `dir` as blob keys, depth first; a folder removed meanwhile is simply empty. */
async function* walk(dir: string, keyPrefix: string): AsyncGenerator<{ key: string; modifiedAt: Date }> {
  let entries;
  try {
    entries = await opendir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for await (const entry of entries) {
    const key = keyPrefix ? `${keyPrefix}/${entry.name}` : entry.name;
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(file, key);
    else if (entry.isFile()) {
      const info = await stat(file).catch(() => undefined);
      if (info) yield { key, modifiedAt: info.mtime };
    }
  }
}

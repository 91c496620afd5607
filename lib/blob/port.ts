import type { Readable } from 'node:stream';

/**
 * Blob storage: documents and derived files live here; workflows carry only keys.
 * Keys are relative paths of `[a-z0-9/._-]`; adapters refuse anything else.
 */
export interface BlobStore {
  /** Streams `body` into `key`, replacing it atomically once complete. */
  put(key: string, body: Readable): Promise<{ size: number }>;
  /** Moves a finished blob to a new key (atomic where the engine allows). */
  rename(from: string, to: string): Promise<void>;
  /** Reads a blob as a stream; E_BLOB_MISSING when absent. */
  read(key: string): Readable;
  /** A local file path holding the blob, for parsers that need random access. */
  localPath(key: string): Promise<string>;
  exists(key: string): Promise<boolean>;
  /** Removes a blob; absent is fine. */
  delete(key: string): Promise<void>;
  /**
   * Every blob under `prefix` (a folder such as `staging/`), with when it was last
   * written, including partial writes a crash left behind; for sweeping orphans.
   */
  list(prefix: string): AsyncIterable<{ key: string; modifiedAt: Date }>;
}

/** Scanning a directory tree source: every synced file's path, size and mtime, inside its real root. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, opendir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { SourceUnreadableError } from './errors.ts';
import { isInside, isSyncedPath } from './paths.ts';
import type { ScannedFile } from './types.ts';

export interface WalkOptions {
  /** More files than this fails the scan (nothing is applied): a sync never takes half a tree. */
  maxFiles: number;
  /** Called every few hundred entries, so a long walk can heartbeat. */
  onProgress?: (seen: number) => void;
}

/**
 * The synced files below `root` (already a real path inside the roots), sorted by
 * path. A symlink is followed only when its target is a file inside `root`;
 * directory symlinks are not followed (no loops, no escapes).
 */
export async function walkDirectory(root: string, options: WalkOptions): Promise<ScannedFile[]> {
  const files: ScannedFile[] = [];
  let seen = 0;
  const visit = async (dir: string, relative: string): Promise<void> => {
    const handle = await opendir(dir);
    for await (const entry of handle) {
      if (++seen % 200 === 0) options.onProgress?.(seen);
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        await visit(full, rel);
        continue;
      }
      if (!isSyncedPath(rel)) continue;
      let target = full;
      if (entry.isSymbolicLink()) {
        const real = await realpath(full).catch(() => undefined);
        if (!real || !isInside(real, root)) continue;
        target = real;
      } else if (!entry.isFile()) continue;
      const info = await stat(target).catch(() => undefined);
      if (!info?.isFile()) continue;
      files.push({ path: rel, size: info.size, mtimeMs: Math.trunc(info.mtimeMs), gitBlob: null, sha256: null });
      if (files.length > options.maxFiles) {
        throw new SourceUnreadableError(`the source holds more than ${options.maxFiles} files (KB_SYNC_MAX_FILES)`);
      }
    }
  };
  await visit(root, '');
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The real path of `relative` below `root`, refused if a symlink leads outside it
 * (checked at read time too: the tree may have changed since the scan).
 */
export async function fileInside(root: string, relative: string): Promise<string> {
  if (relative.split('/').includes('..')) throw new SourceUnreadableError(`refused path ${relative}`);
  const full = path.join(root, ...relative.split('/'));
  // Gone since the scan: a verdict on this file (recorded, planned again next sync), not a fault to retry.
  const real = await realpath(full).catch((error: unknown) => {
    throw new SourceUnreadableError(`${relative} is gone`, { cause: error });
  });
  if (!isInside(real, root)) throw new SourceUnreadableError(`${relative} leads outside its source`);
  if (!(await lstat(real)).isFile()) throw new SourceUnreadableError(`${relative} is not a file`);
  return real;
}

/** SHA-256 of a file, streamed. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

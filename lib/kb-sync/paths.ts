/**
 * The one rule every path of a sync obeys: resolved with realpath (symlinks
 * followed), it lies inside one of KB_SOURCE_ROOTS. Checked when a source is added
 * and again at every scan and every file read, so a symlink planted later cannot
 * lead a sync outside.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { SourceSpecError } from './errors.ts';

/** KB_SOURCE_ROOTS as absolute paths (`:`-separated). */
export function sourceRoots(setting: string): string[] {
  return setting
    .split(':')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => path.resolve(p));
}

/** Whether `candidate` (already real) is `root` or lies below it. */
export const isInside = (candidate: string, root: string) => candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/**
 * The real path of `given` (absolute, or relative to the first root), which must
 * exist and lie inside a root. `..` is refused outright, before any lookup: a
 * source names where it is, not how to climb out of somewhere else.
 */
export async function resolveInsideRoots(given: string, roots: string[], field = 'path'): Promise<string> {
  if (given.length === 0 || given.length > 4096 || given.includes('\0')) throw new SourceSpecError(field, 'must be a path of 1 to 4096 characters');
  if (given.split(/[\\/]+/).includes('..')) throw new SourceSpecError(field, 'must not contain `..`');
  if (roots.length === 0) throw new SourceSpecError(field, 'no KB_SOURCE_ROOTS are configured');
  const absolute = path.isAbsolute(given) ? given : path.resolve(roots[0]!, given);
  let real: string;
  try {
    real = await realpath(absolute);
  } catch {
    throw new SourceSpecError(field, 'does not exist (or cannot be read) under KB_SOURCE_ROOTS');
  }
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => undefined);
    if (realRoot && isInside(real, realRoot)) return real;
  }
  throw new SourceSpecError(field, 'lies outside KB_SOURCE_ROOTS (after following symlinks)');
}

/** File names a sync reads: the formats ingestion accepts (their bytes are sniffed again when staged). */
export const SYNCED_EXTENSIONS = new Set(['.txt', '.text', '.md', '.markdown', '.html', '.htm', '.pdf', '.docx', '.png', '.jpg', '.jpeg', '.tif', '.tiff']);

/** Whether a relative path is one a sync takes: a known extension, and no hidden part (`.git/`, `.DS_Store`). */
export function isSyncedPath(relative: string): boolean {
  const parts = relative.split('/');
  if (parts.some((p) => p.startsWith('.') || p.length === 0)) return false;
  return SYNCED_EXTENSIONS.has(path.extname(relative).toLowerCase());
}

/**
 * Reading a source as it is now: a directory walked (files whose size and mtime
 * moved are hashed, the rest keep their checkpoint hash) or a Git ref fetched and
 * its tree listed; then the plan against the checkpoint.
 */
import type { Readable } from 'node:stream';
import { createReadStream } from 'node:fs';
import { fileInside, sha256OfFile, walkDirectory } from './directory.ts';
import { fetchGitSource, gitCacheDir, listGitTree, readGitBlob, resolveGitUrl } from './git.ts';
import { resolveInsideRoots } from './paths.ts';
import { planSync, unchangedByStat, type Plan } from './plan.ts';
import type { CheckpointFile, KnowledgeBaseSource, ScannedFile } from './types.ts';

export interface SourceAccess {
  /** KB_SOURCE_ROOTS, resolved. */
  roots: string[];
  /** KB_SYNC_CACHE_DIR. */
  cacheDir: string;
  maxFiles: number;
  /** Called now and then during long steps (the activity heartbeats). */
  progress?: (detail: { seen: number }) => void;
}

export interface ScanResult extends Plan {
  scanned: number;
  /** The commit the tree was read at (Git); recorded once the plan is applied. */
  commit: string | null;
}

export async function scanSource(access: SourceAccess, source: KnowledgeBaseSource, checkpoint: readonly CheckpointFile[]): Promise<ScanResult> {
  if (source.spec.type === 'git') {
    const url = await resolveGitUrl(source.spec.url, access.roots);
    const repo = gitCacheDir(access.cacheDir, source.id);
    const commit = await fetchGitSource(repo, url, source.spec.ref);
    const retrying = checkpoint.some((f) => f.status === 'retry');
    // The same commit as last time: nothing can have changed.
    if (commit === source.lastCommit && !retrying) return { steps: [], unchanged: checkpoint.length, scanned: checkpoint.length, commit };
    const files = await listGitTree(repo, commit, access.maxFiles);
    return { ...planSync(checkpoint, files), scanned: files.length, commit };
  }
  const root = await resolveInsideRoots(source.spec.path, access.roots);
  const files = await walkDirectory(root, { maxFiles: access.maxFiles, onProgress: (seen) => access.progress?.({ seen }) });
  const before = new Map(checkpoint.map((f) => [f.path, f]));
  const hashed: ScannedFile[] = [];
  for (const [i, file] of files.entries()) {
    if (i % 50 === 0) access.progress?.({ seen: i });
    const was = before.get(file.path);
    if (unchangedByStat(was, file)) {
      hashed.push({ ...file, sha256: was!.sha256 });
      continue;
    }
    // Gone, or turned into a symlink out of the source, since the walk: as if absent.
    const sha256 = await fileInside(root, file.path).then(sha256OfFile, () => null);
    if (sha256) hashed.push({ ...file, sha256 });
  }
  return { ...planSync(checkpoint, hashed), scanned: hashed.length, commit: null };
}

/** A file's bytes at the time it is staged: from the directory (checked inside the source again) or the fetched commit. */
export async function openSourceFile(access: SourceAccess, source: KnowledgeBaseSource, file: ScannedFile): Promise<Readable> {
  if (source.spec.type === 'git') return readGitBlob(gitCacheDir(access.cacheDir, source.id), file.gitBlob!);
  const root = await resolveInsideRoots(source.spec.path, access.roots);
  return createReadStream(await fileInside(root, file.path));
}

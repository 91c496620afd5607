/**
 * Git sources through the `git` CLI (execFile, never a shell): each source has a
 * bare repository in KB_SYNC_CACHE_DIR that fetches the wanted ref; files are read
 * from the fetched commit's tree, so no work tree is ever checked out.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { SourceSpecError, SourceUnreadableError } from './errors.ts';
import { isSyncedPath, resolveInsideRoots } from './paths.ts';
import type { ScannedFile } from './types.ts';

const run = promisify(execFile);

/**
 * Only https remotes and local repositories: no ssh (no keys here), no `ext::`
 * (runs commands), no plain http or git:// (unauthenticated). No prompts either: a
 * remote that wants credentials fails at once instead of hanging the activity.
 */
const gitArgs = ['-c', 'protocol.allow=never', '-c', 'protocol.https.allow=always', '-c', 'protocol.file.allow=always', '-c', 'core.askPass=true'];
const gitEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', LC_ALL: 'C' };

/** A ref a caller may name: a branch, tag or commit, nothing that reads as an option or a revision range. */
export const GIT_REF_PATTERN = /^(?!-)(?!.*\.\.)(?!.*@\{)[A-Za-z0-9._/-]{1,200}$/;

function git(args: string[], options: { cwd?: string; timeoutMs?: number; maxBuffer?: number } = {}) {
  return run('git', [...gitArgs, ...args], {
    cwd: options.cwd,
    env: gitEnv,
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: options.maxBuffer ?? 16 * 1024 * 1024,
    encoding: 'buffer',
  });
}

/**
 * Where a Git source's `url` points: an https URL as given, or the real path of a
 * local repository inside KB_SOURCE_ROOTS (`file://` URLs and plain paths).
 */
export async function resolveGitUrl(url: string, roots: string[]): Promise<string> {
  if (/^https:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new SourceSpecError('url', 'not a valid URL');
    }
    if (parsed.username || parsed.password) throw new SourceSpecError('url', 'must not carry credentials');
    return parsed.toString();
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith('file://')) {
    throw new SourceSpecError('url', 'an https:// URL, or a local repository under KB_SOURCE_ROOTS');
  }
  const local = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  return resolveInsideRoots(local, roots, 'url');
}

/** The bare repository that holds a source's fetched commits. */
export const gitCacheDir = (cacheRoot: string, sourceId: string) => path.join(cacheRoot, `${sourceId}.git`);

/**
 * Fetches `ref` (the remote's HEAD when absent) into the source's cache repository
 * and returns its commit id; the commit is kept under refs/kb-sync/head so the
 * objects stay while the sync reads them.
 */
export async function fetchGitSource(repoDir: string, url: string, ref: string | undefined): Promise<string> {
  if (ref !== undefined && !GIT_REF_PATTERN.test(ref)) throw new SourceSpecError('ref', 'not a branch, tag or commit name');
  await mkdir(path.dirname(repoDir), { recursive: true });
  if (!existsSync(path.join(repoDir, 'HEAD'))) await git(['init', '--bare', '--quiet', repoDir]);
  const remote = /^https:/i.test(url);
  try {
    // `--` ends the options: a url or ref can never be read as one.
    await git(['-C', repoDir, 'fetch', '--quiet', '--no-tags', '--force', ...(remote ? ['--depth=1'] : []), '--', url, ref ?? 'HEAD'], {
      timeoutMs: 10 * 60_000,
    });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim().split('\n').slice(-1)[0] ?? '';
    // A missing ref is the caller's to fix; anything else (network, a remote down) may pass.
    const missing = /couldn't find remote ref|not our ref|invalid refspec/i.test(stderr);
    throw new SourceUnreadableError(`git fetch failed: ${stderr.slice(0, 300) || 'no answer'}`, { cause: error, retryable: !missing });
  }
  const { stdout } = await git(['-C', repoDir, 'rev-parse', '--verify', 'FETCH_HEAD^{commit}']);
  const commit = stdout.toString('utf8').trim();
  await git(['-C', repoDir, 'update-ref', 'refs/kb-sync/head', commit]);
  return commit;
}

/** The synced files of a commit's tree (regular files only: no symlinks, no submodules), sorted by path. */
export async function listGitTree(repoDir: string, commit: string, maxFiles: number): Promise<ScannedFile[]> {
  const { stdout } = await git(['-C', repoDir, 'ls-tree', '-r', '-z', '--long', '--full-tree', commit], { maxBuffer: 256 * 1024 * 1024 });
  const files: ScannedFile[] = [];
  for (const record of stdout.toString('utf8').split('\0')) {
    if (!record) continue;
    const tab = record.indexOf('\t');
    const [mode, type, blob, size] = record.slice(0, tab).trim().split(/\s+/);
    const filePath = record.slice(tab + 1);
    if (type !== 'blob' || (mode !== '100644' && mode !== '100755') || !isSyncedPath(filePath)) continue;
    files.push({ path: filePath, size: Number(size), mtimeMs: null, gitBlob: blob!, sha256: null });
    if (files.length > maxFiles) throw new SourceUnreadableError(`the repository holds more than ${maxFiles} files (KB_SYNC_MAX_FILES)`);
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A blob's bytes as a stream. */
export function readGitBlob(repoDir: string, blob: string): Readable {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(blob)) throw new SourceUnreadableError(`not a blob id: ${blob}`);
  const child = spawn('git', [...gitArgs, '-C', repoDir, 'cat-file', 'blob', blob], { env: gitEnv, stdio: ['ignore', 'pipe', 'ignore'] });
  child.on('exit', (code) => {
    if (code !== 0) child.stdout.destroy(new SourceUnreadableError(`git cat-file ${blob} failed (exit ${code})`));
  });
  return child.stdout;
}

/**
 * The diff between a source's checkpoint and what a scan found now: which files
 * are new, changed, renamed or gone, and which documents no path refers to any
 * more. Pure: the scan activity feeds it, the unit tests check it.
 */
import type { CheckpointFile, PlanStep, ScannedFile } from './types.ts';

/** What identifies a file's content: Git's blob id, or the SHA-256 a directory scan computed. */
const contentKey = (f: ScannedFile) => f.gitBlob ?? f.sha256;

/**
 * Whether a directory file is unchanged since the checkpoint without reading it:
 * same size and mtime (and a checkpoint that is not asking for a retry).
 */
export function unchangedByStat(before: CheckpointFile | undefined, now: ScannedFile): boolean {
  return !!before && before.status !== 'retry' && before.size === now.size && before.mtimeMs === now.mtimeMs && before.sha256 !== null;
}

export interface Plan {
  steps: PlanStep[];
  unchanged: number;
}

/**
 * The steps that bring the checkpoint to `now`, in the order they must be applied:
 * renames (a gone path whose exact content reappears at a new path: the document is
 * renamed, not ingested again), upserts (new and changed files), forgets (gone
 * paths), then releases (documents the old checkpoint referred to and whose content
 * is nowhere in `now`). Every file in `now` has its content key (`gitBlob` or `sha256`).
 */
export function planSync(before: readonly CheckpointFile[], now: readonly ScannedFile[]): Plan {
  const old = new Map(before.map((f) => [f.path, f]));
  const current = new Map(now.map((f) => [f.path, f]));
  const added = now.filter((f) => !old.has(f.path));
  const gone = before.filter((f) => !current.has(f.path));
  const changed = now.filter((f) => {
    const was = old.get(f.path);
    return was !== undefined && (was.status === 'retry' || contentKey(was) !== contentKey(f));
  });

  // Pair each gone path with a new path of the same content, in path order (deterministic).
  const newByKey = new Map<string, ScannedFile[]>();
  for (const f of added) {
    const key = contentKey(f);
    if (key) newByKey.set(key, [...(newByKey.get(key) ?? []), f]);
  }
  const steps: PlanStep[] = [];
  const renamedTo = new Set<string>();
  const forgotten: CheckpointFile[] = [];
  for (const was of gone) {
    const key = contentKey(was);
    const target = key && was.status !== 'retry' ? newByKey.get(key)?.shift() : undefined;
    if (target) {
      steps.push({ action: 'rename', path: target.path, oldPath: was.path, documentId: was.documentId, file: target });
      renamedTo.add(target.path);
    } else forgotten.push(was);
  }
  for (const f of added) if (!renamedTo.has(f.path)) steps.push({ action: 'upsert', path: f.path, changed: false, file: f });
  for (const f of changed) steps.push({ action: 'upsert', path: f.path, changed: true, file: f });
  for (const f of forgotten) steps.push({ action: 'forget', path: f.path });

  // A document goes when its content is nowhere in the tree now; whether another
  // source still refers to it is checked when the release is applied.
  const keysNow = new Set(now.map(contentKey));
  const released = new Set<string>();
  for (const was of [...forgotten, ...changed.map((f) => old.get(f.path)!)]) {
    if (was.documentId && !keysNow.has(contentKey(was)) && !released.has(was.documentId)) {
      released.add(was.documentId);
      steps.push({ action: 'release', documentId: was.documentId });
    }
  }
  return { steps, unchanged: now.length - added.length - changed.length };
}

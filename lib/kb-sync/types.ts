/** Shapes of knowledge-base sync: sources, checkpoint rows, plans and progress. */

/** A directory tree under KB_SOURCE_ROOTS. */
export interface DirectorySourceSpec {
  type: 'directory';
  /** Absolute, or relative to the first root. */
  path: string;
}

/** A Git repository: an https remote, or a local (bare) repository under KB_SOURCE_ROOTS. */
export interface GitSourceSpec {
  type: 'git';
  url: string;
  /** Branch, tag or commit; the remote's HEAD when absent. */
  ref?: string;
}

export type SourceSpec = DirectorySourceSpec | GitSourceSpec;

export interface KnowledgeBaseSource {
  id: string;
  tenant: string;
  knowledgeBase: string;
  spec: SourceSpec;
  lastCommit: string | null;
  lastSyncedAt: string | null;
  lastError: { code: string; message: string } | null;
  fileCount: number;
  createdAt: string;
}

/** One file as a scan sees it. `gitBlob` is Git's content id; a directory scan fills `sha256` only when it read the file. */
export interface ScannedFile {
  path: string;
  size: number;
  mtimeMs: number | null;
  gitBlob: string | null;
  sha256: string | null;
}

/** One checkpoint row: what the last sync saw of a file and what it made of it. */
export interface CheckpointFile extends ScannedFile {
  documentId: string | null;
  status: 'synced' | 'failed' | 'retry';
}

/**
 * One step of a sync, in the order they are applied: renames (same content, new
 * path: the document is renamed, not ingested again), upserts (new or changed files:
 * staged as documents and ingested), forgets (paths gone), releases (documents no
 * path refers to any more: deleted).
 */
export type PlanStep =
  | { action: 'rename'; path: string; oldPath: string; documentId: string | null; file: ScannedFile }
  | { action: 'upsert'; path: string; changed: boolean; file: ScannedFile }
  | { action: 'forget'; path: string }
  | { action: 'release'; documentId: string };

/** What a sync has done so far; the progress query and GET …/sync show it. */
export interface SyncCounts {
  scanned: number;
  added: number;
  changed: number;
  renamed: number;
  removed: number;
  unchanged: number;
  failed: number;
}

export const emptyCounts = (): SyncCounts => ({ scanned: 0, added: 0, changed: 0, renamed: 0, removed: 0, unchanged: 0, failed: 0 });

export type SyncStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface SyncRun {
  id: string;
  tenant: string;
  knowledgeBase: string;
  workflowId: string;
  status: SyncStatus;
  counts: SyncCounts & { done?: boolean };
  error: { code: string; message: string } | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

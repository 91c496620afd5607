/** Names shared by syncKnowledgeBase, its client and the API. Safe to import from workflow code. */
import { defineQuery } from '@temporalio/workflow';

/** Where a sync stands; `done` once every source is applied (or failed). */
export interface KnowledgeBaseSyncProgress {
  syncId: string | null;
  /** The source being applied now, and its phase. */
  sourceId: string | null;
  phase: 'starting' | 'scanning' | 'applying' | 'finished';
  scanned: number;
  added: number;
  changed: number;
  renamed: number;
  removed: number;
  unchanged: number;
  failed: number;
  /** Sources that could not be read this time (their checkpoint is left as it was). */
  failedSources: number;
  done: boolean;
}

export const knowledgeBaseSyncProgressQuery = defineQuery<KnowledgeBaseSyncProgress>('progress');

/** The resume cursor of a source: its plan (scan id), the last step applied, and the commit the plan brings the checkpoint to. */
export const encodeSyncCursor = (c: { scanId: string; afterSeq: number; commit: string | null }) => `${c.scanId}|${c.afterSeq}|${c.commit ?? ''}`;
export function decodeSyncCursor(cursor: string): { scanId: string; afterSeq: number; commit: string | null } {
  const [scanId, afterSeq, commit] = cursor.split('|');
  return { scanId: scanId!, afterSeq: Number(afterSeq), commit: commit || null };
}

/** Names shared by the maintenance workflows (backups, restores, knowledge-base syncs), their worker, Schedules and the API. Safe to import from workflow code. */
import { defineQuery } from '@temporalio/workflow';

export interface BackupPlatformInput {
  /** Absent for a manual backup; a Schedule passes its id. */
  scheduleId?: string;
  /** Given by the client for a manual backup; a scheduled run derives it from its workflow id (a retry is the same backup). */
  backupId?: string;
}

export interface BackupPlatformResult {
  backupId: string;
  status: 'verified' | 'failed';
}

export interface VerifyBackupInput {
  backupId: string;
}

export interface RestorePlatformInput {
  backupId: string;
  /** The token POST /v1/backups/:id/restore handed out for this backup; checked again by the workflow's first activity. */
  confirmationToken: string;
}

export interface SyncKnowledgeBaseInput {
  tenant: string;
  knowledgeBaseId: string;
  /** Carried across continue-as-new: where the previous run stopped. */
  resume?: { sourceId: string; cursor: string };
  /** The kb_syncs row this run reports to: the API's (it answered with its id), or carried across continue-as-new. */
  syncId?: string;
  /** Counts so far, carried across continue-as-new (lib/kb-sync/types.ts SyncCounts). */
  counts?: Partial<Record<'scanned' | 'added' | 'changed' | 'renamed' | 'removed' | 'unchanged' | 'failed', number>>;
  /** Sources that failed earlier in this chain, carried across continue-as-new so the run still ends `failed`. */
  sourceFailures?: { code: string; message: string }[];
  /** Plan steps per batch (default 8); a batch's workflows run 4 at a time and its checkpoint is written when they have all finished. */
  batchSize?: number;
  /** Batches per run before continue-as-new (default 40), so a large sync never grows one huge history. */
  batchesPerRun?: number;
}

/** A manual backup's workflow id; a scheduled one's is the Schedule's action id plus Temporal's firing time. */
export const backupWorkflowId = (backupId: string) => `backup-${backupId}`;
export const restoreWorkflowId = (backupId: string, at: string) => `restore-${backupId}-${at}`;
/** One sync per knowledge base at a time: a second request joins the open run. */
export const knowledgeBaseSyncWorkflowId = (tenant: string, knowledgeBaseId: string) => `kb-sync-${tenant}-${knowledgeBaseId}`;

/** A re-verification of a stored backup (checksums, scratch restore, counts). */
export const verifyBackupWorkflowId = (backupId: string, at: string) => `verify-${backupId}-${at}`;

/** Stages of a backup or restore, for the `progress` query. */
export type BackupStage = 'starting' | 'database' | 'blobs' | 'manifest' | 'verifying' | 'retention' | 'checking' | 'restoring-database' | 'restoring-blobs' | 'done' | 'failed';

export interface BackupProgress {
  backupId: string;
  stage: BackupStage;
}

export const backupProgressQuery = defineQuery<BackupProgress>('progress');

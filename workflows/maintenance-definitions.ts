/** Names shared by the maintenance workflows (backups, restores, knowledge-base syncs), their worker, Schedules and the API. Safe to import from workflow code. */

export interface BackupPlatformInput {
  /** Absent for a manual backup; a Schedule passes its id. */
  scheduleId?: string;
}

export interface BackupPlatformResult {
  backupId: string;
  status: 'verified' | 'failed';
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
}

/** A manual backup's workflow id; a scheduled one's is the Schedule's action id plus Temporal's firing time. */
export const backupWorkflowId = (backupId: string) => `backup-${backupId}`;
export const restoreWorkflowId = (backupId: string, at: string) => `restore-${backupId}-${at}`;
/** One sync per knowledge base at a time: a second request joins the open run. */
export const knowledgeBaseSyncWorkflowId = (tenant: string, knowledgeBaseId: string) => `kb-sync-${tenant}-${knowledgeBaseId}`;

/** Starting backupPlatform, verifyBackup and restorePlatform workflows: their ids, task queue, search attributes and id policies. */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { backupIdFromWorkflowId, newBackupId } from '../lib/backup/ids.ts';
import { insertBackup } from '../lib/backup/repository.ts';
import type { BackupTrigger } from '../lib/backup/types.ts';
import type { Queryable } from '../lib/db/index.ts';
import { searchAttributes } from '../workflows/definitions.ts';
import {
  backupWorkflowId,
  restoreWorkflowId,
  verifyBackupWorkflowId,
  type BackupPlatformInput,
  type RestorePlatformInput,
  type VerifyBackupInput,
} from '../workflows/maintenance-definitions.ts';
import { WorkflowEngineUnavailableError } from './documents.ts';

export interface BackupWorkflows {
  /** Starts a backup; it is `running` at once when the database was given (GET finds it right after the 202). */
  start(trigger: BackupTrigger): Promise<{ backupId: string; workflowId: string }>;
  /** Starts restorePlatform with a confirmation token (the run claims it again before touching anything). */
  restore(backupId: string, token: string): Promise<string>;
  /** Checks a stored backup again (checksums, scratch restore, counts); a corrupted one ends `failed`. */
  verify(backupId: string): Promise<string>;
}

const at = () => new Date().toISOString().replace(/\D/g, '').slice(0, 17);

/**
 * `db`, when given, receives the backup's row before the workflow starts, so the
 * API can show the backup at once; if Temporal then refuses the start, the row is
 * left `running` until the next backup's clean-up marks it failed (never complete).
 */
export function createBackupWorkflows(temporal: Client, taskQueue: string, db?: Queryable): BackupWorkflows {
  const attributes = (kind: string) => [
    { key: searchAttributes.jobKind, value: kind },
    { key: searchAttributes.jobStatus, value: 'running' },
  ];
  return {
    async start(trigger) {
      let backupId: string;
      let workflowId: string;
      if (trigger.kind === 'schedule') {
        workflowId = `backup-${trigger.scheduleId}-${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`;
        backupId = backupIdFromWorkflowId(workflowId, new Date());
      } else {
        backupId = newBackupId();
        workflowId = backupWorkflowId(backupId);
      }
      if (db) await insertBackup(db, { id: backupId, trigger, workflowId });
      const input: BackupPlatformInput = { backupId, ...(trigger.kind === 'schedule' ? { scheduleId: trigger.scheduleId } : {}) };
      try {
        await temporal.workflow.start('backupPlatform', {
          taskQueue,
          workflowId,
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: attributes('backup'),
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw new WorkflowEngineUnavailableError(error);
      }
      return { backupId, workflowId };
    },

    async restore(backupId, token) {
      const workflowId = restoreWorkflowId(backupId, at());
      try {
        await temporal.workflow.start('restorePlatform', {
          taskQueue,
          workflowId,
          args: [{ backupId, confirmationToken: token } satisfies RestorePlatformInput],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: attributes('restore'),
        });
        return workflowId;
      } catch (error) {
        throw new WorkflowEngineUnavailableError(error);
      }
    },

    async verify(backupId) {
      const workflowId = verifyBackupWorkflowId(backupId, at());
      try {
        await temporal.workflow.start('verifyBackup', {
          taskQueue,
          workflowId,
          args: [{ backupId } satisfies VerifyBackupInput],
          typedSearchAttributes: attributes('backup-verify'),
        });
        return workflowId;
      } catch (error) {
        throw new WorkflowEngineUnavailableError(error);
      }
    },
  };
}

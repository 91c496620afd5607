import { ApplicationFailure, CancellationScope, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createBackupActivities } from '../activities/backup.ts';
import { failureReason, setJobStatus } from './backup-platform.ts';
import { backupProgressQuery, type BackupProgress, type RestorePlatformInput } from './maintenance-definitions.ts';

type BackupActivities = ReturnType<typeof createBackupActivities>;

const backoff = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' } as const;
const bookkeeping = proxyLocalActivities<BackupActivities>({ startToCloseTimeout: '30s', retry: { ...backoff, maximumAttempts: 20 } });
const work = proxyActivities<BackupActivities>({ startToCloseTimeout: '6h', heartbeatTimeout: '15s', retry: { ...backoff, maximumAttempts: 3 } });

/**
 * Puts a verified backup back: the run claims its single-use confirmation token,
 * checks every part's sha256 (and the key) before touching anything live, then
 * replaces the database (one transaction: all of it or none) and then the blob
 * store (every blob of the backup written, every other removed; backups' own
 * files stay). The outcome is recorded on the backup's row, which no restore
 * overwrites.
 */
export async function restorePlatform({ backupId, confirmationToken }: RestorePlatformInput): Promise<{ backupId: string; status: 'succeeded' }> {
  const progress: BackupProgress = { backupId, stage: 'checking' };
  setHandler(backupProgressQuery, () => progress);
  const { workflowId, startTime } = workflowInfo();
  const startedAt = startTime.toISOString();
  // A wrong token or another engine's or schema's backup changes nothing and records nothing.
  await bookkeeping.claimRestore({ backupId, token: confirmationToken, workflowId });
  try {
    await work.checkBackupParts({ backupId });
    progress.stage = 'restoring-database';
    await work.restoreDatabasePart({ backupId });
    progress.stage = 'restoring-blobs';
    await work.restoreBlobsPart({ backupId });
    await bookkeeping.finishRestore({ backupId, workflowId, startedAt, status: 'succeeded' });
    progress.stage = 'done';
    setJobStatus('succeeded');
    return { backupId, status: 'succeeded' };
  } catch (error) {
    const reason = failureReason(error, 'E_RESTORE_FAILED', 'the restore failed; the workflow history has the details');
    await CancellationScope.nonCancellable(async () => {
      await bookkeeping.finishRestore({ backupId, workflowId, startedAt, status: 'failed', error: reason });
      setJobStatus('failed');
    });
    progress.stage = 'failed';
    throw ApplicationFailure.nonRetryable(reason.message, reason.code);
  }
}

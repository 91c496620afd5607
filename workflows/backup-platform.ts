import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createBackupActivities } from '../activities/backup.ts';
import { searchAttributes } from './definitions.ts';
import {
  backupProgressQuery,
  type BackupPlatformInput,
  type BackupPlatformResult,
  type BackupProgress,
  type VerifyBackupInput,
} from './maintenance-definitions.ts';

type BackupActivities = ReturnType<typeof createBackupActivities>;

const backoff = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' } as const;

/** Recording state on the row: short steps. */
const bookkeeping = proxyLocalActivities<BackupActivities>({ startToCloseTimeout: '30s', retry: { ...backoff, maximumAttempts: 20 } });

/**
 * Dumping, archiving and verifying: long, so they heartbeat, and a killed worker
 * is noticed in 15 s; the step then runs again from its start (each part is
 * written whole under its key, so a rerun replaces it).
 */
const work = proxyActivities<BackupActivities>({
  startToCloseTimeout: '6h',
  heartbeatTimeout: '15s',
  retry: { ...backoff, maximumAttempts: 5 },
});

/**
 * One backup of the platform: the database dump and the blob archive, each
 * compressed (and encrypted) with its sha256, then the manifest, then proof by
 * restoring both into scratch space, then retention. The row says `running` until
 * the manifest is written and `verifying` until the proof, so a backup cut short
 * is never listed as complete; a failure removes its files.
 */
export async function backupPlatform(input: BackupPlatformInput): Promise<BackupPlatformResult> {
  const progress: BackupProgress = { backupId: input.backupId ?? '', stage: 'starting' };
  setHandler(backupProgressQuery, () => progress);
  const { workflowId, startTime } = workflowInfo();
  const { backupId } = await bookkeeping.beginBackup({ backupId: input.backupId, scheduleId: input.scheduleId, workflowId });
  progress.backupId = backupId;
  try {
    progress.stage = 'database';
    const database = await work.dumpDatabasePart({ backupId });
    progress.stage = 'blobs';
    const blobs = await work.archiveBlobsPart({ backupId });
    progress.stage = 'manifest';
    await work.writeManifest({ backupId, database, blobs, createdAt: startTime.toISOString() });
    progress.stage = 'verifying';
    const verification = await work.verifyBackupParts({ backupId });
    await bookkeeping.recordVerification({ backupId, verification });
    if (!verification.ok) {
      await work.removeBackupFiles({ backupId });
      throw ApplicationFailure.nonRetryable(verification.problems.join('; '), 'E_BACKUP_VERIFICATION');
    }
    progress.stage = 'retention';
    await work.applyRetention();
    progress.stage = 'done';
    setJobStatus('verified');
    return { backupId, status: 'verified' };
  } catch (error) {
    const reason = failureReason(error, 'E_BACKUP_FAILED', 'the backup failed; the workflow history has the details');
    await CancellationScope.nonCancellable(async () => {
      if (reason.code !== 'E_BACKUP_VERIFICATION') await work.abandonBackup({ backupId, error: reason });
      setJobStatus('failed');
    });
    progress.stage = 'failed';
    if (isCancellation(error)) throw error;
    throw ApplicationFailure.nonRetryable(reason.message, reason.code);
  }
}

/** A stored backup checked again; a part that changed since (or no longer restores) turns it `failed`. */
export async function verifyBackup({ backupId }: VerifyBackupInput): Promise<BackupPlatformResult> {
  const progress: BackupProgress = { backupId, stage: 'verifying' };
  setHandler(backupProgressQuery, () => progress);
  const verification = await work.verifyBackupParts({ backupId });
  const status = await bookkeeping.recordVerification({ backupId, verification });
  progress.stage = verification.ok ? 'done' : 'failed';
  setJobStatus(status);
  return { backupId, status: verification.ok ? 'verified' : 'failed' };
}

export function setJobStatus(status: string): void {
  upsertSearchAttributes([{ key: searchAttributes.jobStatus, value: status }]);
}

/**
 * A verdict of ours (an `E_*` type) is shown as it is; anything else is a fault
 * whose text may hold internals (paths, SQL), so only the history keeps it.
 */
export function failureReason(error: unknown, code: string, message: string): { code: string; message: string } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && cause.type?.startsWith('E_')) return { code: cause.type, message: cause.message };
  if (isCancellation(error)) return { code: 'E_CANCELLED', message: 'the run was cancelled' };
  return { code, message };
}

import { proxyActivities } from '@temporalio/workflow';
import type { createReconcileActivities } from '../activities/reconcile.ts';

const reconcile = proxyActivities<ReturnType<typeof createReconcileActivities>>({
  startToCloseTimeout: '10m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 5 },
});

export interface ReconcileInput {
  /** How long a document may sit queued, running or deleting untouched before it is checked. Default 2 minutes. */
  graceMs?: number;
  /** How old an unneeded blob must be before it is removed. Default 1 hour. */
  orphanAgeMs?: number;
}

/**
 * Run by a Temporal Schedule: restarts documents whose run was lost (a crashed
 * upload, a server that lost its state) and removes files no document needs.
 */
export async function reconcileDocuments(input: ReconcileInput = {}) {
  const stalled = await reconcile.restartStalledDocuments({ graceMs: input.graceMs ?? 120_000 });
  const orphans = await reconcile.sweepOrphanBlobs({ olderThanMs: input.orphanAgeMs ?? 3_600_000 });
  return { checked: stalled.checked, restarted: stalled.restarted, scannedBlobs: orphans.scanned, removedBlobs: orphans.removed };
}

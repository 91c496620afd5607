import { ActivityFailure, ApplicationFailure, CancellationScope, isCancellation, proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { createErpImportActivities } from '../activities/erp-import.ts';
import { searchAttributes } from './definitions.ts';
import { requestSearchSync } from './search-sync-request.ts';
import { importProgressQuery, type ImportDatasetInput, type ImportProgress } from './erp-definitions.ts';

type ErpImportActivities = ReturnType<typeof createErpImportActivities>;

const backoff = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' } as const;

/** Marking the import running and recording its end: one-row updates. */
const bookkeeping = proxyLocalActivities<ErpImportActivities>({
  startToCloseTimeout: '30s',
  retry: { ...backoff, maximumAttempts: 20 },
});
/**
 * Reading the file and writing batches: a large file takes minutes. They heartbeat every
 * 5 s and after each batch, so a killed worker is noticed in 20 s and the work resumes
 * at the checkpoint on another.
 */
const reading = proxyActivities<ErpImportActivities>({
  startToCloseTimeout: '1h',
  heartbeatTimeout: '20s',
  retry: { ...backoff, maximumAttempts: 10 },
});

/** Batches per activity: progress and the history stay small, and each activity is a few seconds of work. */
const batchesPerActivity = 50;

export interface ImportDatasetResult {
  importId: string;
  status: 'completed' | 'failed';
  rows: number;
}

/**
 * An uploaded CSV into its ERP table: validate the whole file (a bad file writes
 * nothing), then upsert it batch by batch from the checkpoint, then ask search to
 * catch up (and drop cached ERP answers). A bad file fails the run with E_IMPORT_INVALID; its errors are on the import.
 */
export async function importDataset({ importId }: ImportDatasetInput): Promise<ImportDatasetResult> {
  const state: ImportProgress = { stage: 'queued', rows: 0, batchesDone: 0, batches: 0 };
  setHandler(importProgressQuery, () => state);
  try {
    await bookkeeping.beginImport({ importId });
    state.stage = 'validating';
    const checked = await reading.validateImport({ importId });
    Object.assign(state, { rows: checked.rows, batches: checked.batches });
    if (checked.errors > 0) {
      const reason = { code: 'E_IMPORT_INVALID', message: `the file has ${checked.errors} error(s); nothing was imported` };
      await bookkeeping.finishImport({ importId, outcome: 'failed', error: reason });
      state.stage = 'failed';
      setJobStatus('failed');
      throw ApplicationFailure.nonRetryable(reason.message, reason.code);
    }
    state.stage = 'importing';
    for (let done = false; !done; ) {
      const step = await reading.importBatches({ importId, maxBatches: batchesPerActivity });
      done = step.done;
      state.batchesDone = step.batchesDone;
    }
    state.stage = 'indexing';
    // The triggers of migration 006 queued every changed row for search; the sync indexes them now.
    await bookkeeping.invalidateErpCaches();
    await requestSearchSync();
    await bookkeeping.finishImport({ importId, outcome: 'completed' });
    state.stage = 'completed';
    setJobStatus('completed');
    return { importId, status: 'completed', rows: checked.rows };
  } catch (error) {
    if (state.stage === 'failed') throw error;
    const cancelled = isCancellation(error);
    const reason = cancelled ? { code: 'E_CANCELLED', message: 'the import was cancelled' } : { code: failureCode(error) ?? 'E_IMPORT_FAILED', message: failureMessage(error) };
    await CancellationScope.nonCancellable(async () => {
      await bookkeeping.finishImport({ importId, outcome: 'failed', error: reason });
      setJobStatus('failed');
    });
    state.stage = 'failed';
    if (cancelled) throw error;
    throw ApplicationFailure.nonRetryable(reason.message, reason.code);
  }
}

function setJobStatus(status: string): void {
  upsertSearchAttributes([{ key: searchAttributes.jobStatus, value: status }]);
}

function failureCode(error: unknown): string | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

function failureMessage(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof Error ? cause.message : String(error);
}

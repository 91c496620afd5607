import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { createReportActivities } from '../activities/reports.ts';
import type { ReportArtifact } from '../lib/reports/repository.ts';
import { searchAttributes } from './definitions.ts';
import { reportProgressQuery, STAGE_PROGRESS, type GenerateReportInput, type ReportPart, type ReportProgress } from './report-definitions.ts';

type ReportActivities = ReturnType<typeof createReportActivities>;

const backoff = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' } as const;

/** Checking the spec and recording the outcome: short steps in the workflow task. */
const bookkeeping = proxyLocalActivities<ReportActivities>({ startToCloseTimeout: '30s', retry: { ...backoff, maximumAttempts: 20 } });

/**
 * Queries, rendering and exports. Each heartbeats, so a killed worker is noticed
 * in 20 s and the step reruns on another (each writes its blob whole, so a rerun
 * replaces, never appends). A cancelled report waits for the step to stop before
 * removing its files, so nothing is written after the clean-up.
 */
const work = proxyActivities<ReportActivities>({
  startToCloseTimeout: '15m',
  heartbeatTimeout: '20s',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { ...backoff, maximumAttempts: 5 },
});

export interface GenerateReportResult {
  reportId: string;
  status: 'succeeded';
  artifacts: ReportArtifact[];
}

/**
 * A report, from its spec to its files: compile → query → pivot, forecast and
 * anomalies → render charts → export each format into blob storage → finish.
 * Bad input or a query over a limit fails it for good with that error recorded;
 * cancelling it removes whatever it had written.
 */
export async function generateReport({ reportId }: GenerateReportInput): Promise<GenerateReportResult> {
  const state: ReportProgress = { stage: 'queued', progress: 0 };
  setHandler(reportProgressQuery, () => state);
  const enter = (stage: keyof typeof STAGE_PROGRESS, progress: number = STAGE_PROGRESS[stage]) => Object.assign(state, { stage, progress });
  try {
    enter('compile');
    const plan = await bookkeeping.compileReport({ reportId });
    enter('query');
    await work.computeReportPart({ reportId, part: 'data' });
    enter('analyse');
    const parts: ReportPart[] = (['pivot', 'forecast', 'anomalies'] as const).filter((p) => plan.parts.includes(p));
    await Promise.all(parts.map((part) => work.computeReportPart({ reportId, part })));
    enter('render');
    if (plan.charts > 0) await work.renderCharts({ reportId });
    const artifacts: ReportArtifact[] = [];
    for (const [i, format] of plan.formats.entries()) {
      enter('export', STAGE_PROGRESS.export + ((STAGE_PROGRESS.finish - STAGE_PROGRESS.export) * i) / plan.formats.length);
      artifacts.push(await work.exportReport({ reportId, format, progress: state.progress }));
    }
    enter('finish');
    await bookkeeping.completeReport({ reportId, artifacts });
    Object.assign(state, { stage: 'succeeded', progress: 1 });
    setJobStatus('succeeded');
    return { reportId, status: 'succeeded', artifacts };
  } catch (error) {
    const cancelled = isCancellation(error);
    const reason = cancelled
      ? { code: 'E_CANCELLED', message: 'the report was cancelled' }
      : failureReason(error);
    const status = cancelled ? 'cancelled' : 'failed';
    // Even when cancelled: the record and the clean-up must happen.
    await CancellationScope.nonCancellable(async () => {
      await bookkeeping.abandonReport({ reportId, status, error: reason });
      setJobStatus(status);
    });
    state.stage = status;
    if (cancelled) throw error;
    throw ApplicationFailure.nonRetryable(reason.message, reason.code);
  }
}

function setJobStatus(status: string): void {
  upsertSearchAttributes([{ key: searchAttributes.jobStatus, value: status }]);
}

/**
 * A verdict of ours (an `E_*` type: bad input, a query over a limit) is shown as
 * it is; anything else is a fault whose text may hold internals (SQL, paths), so
 * the report says only that it failed, and the history keeps the details.
 */
function failureReason(error: unknown): { code: string; message: string } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && cause.type?.startsWith('E_')) return { code: cause.type, message: cause.message };
  return { code: 'E_REPORT_FAILED', message: 'the report could not be generated; the workflow history has the details' };
}

import { createHash } from 'node:crypto';
import { PassThrough, Transform } from 'node:stream';
import { Context } from '@temporalio/activity';
import type { AnalyticsAnswers } from '../lib/analytics/answers.ts';
import { detectAnomalies } from '../lib/analytics/anomalies.ts';
import { forecastSeries } from '../lib/analytics/forecast.ts';
import { pivotQuery } from '../lib/analytics/pivot.ts';
import type { AnalyticsEngine } from '../lib/analytics/port.ts';
import type { BlobStore } from '../lib/blob/port.ts';
import type { Database } from '../lib/db/index.ts';
import { AppError } from '../lib/errors.ts';
import { artifactKey, contentPartKey, type ReportPart } from '../lib/reports/blob-keys.ts';
import { renderReportCharts } from '../lib/reports/charts/index.ts';
import { loadCharts, loadContent, removeReportFiles, saveCharts, writeJson, type DataPart } from '../lib/reports/content-store.ts';
import { writeReport } from '../lib/reports/exports/index.ts';
import { finishReport, recordStage, requireReport, type ReportArtifact } from '../lib/reports/repository.ts';
import { anomalyRequest, checkReportSpec, forecastRequest, pivotRequest, reportQuery } from '../lib/reports/spec.ts';
import type { ReportFormat } from '../lib/reports/types.ts';
import { STAGE_PROGRESS } from '../workflows/report-definitions.ts';
import { withFailureMapping } from './failures.ts';

export interface ReportActivityDeps {
  db: Database;
  blobs: BlobStore;
  engine: AnalyticsEngine;
  /** Answers shared with the analytics API (same question, one computation), tagged `erp`. */
  answers?: AnalyticsAnswers;
}

/** The spec no longer passes its checks (the catalog changed since it was accepted): retrying cannot help. */
class ReportSpecError extends AppError {
  constructor(problems: { field: string; detail: string }[]) {
    super('E_REPORT_INVALID', problems.map((p) => `${p.field}: ${p.detail}`).join('; '));
  }
}

/**
 * Beats every second while `work` runs, so a cancel reaches a long step within
 * about a second (the worker's heartbeat throttle is set to match), and throws the
 * cancellation at the step's next check.
 */
async function beating<T>(details: unknown, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const context = Context.current();
  if (context.info.isLocal) return work(new AbortController().signal);
  context.heartbeat(details);
  const timer = setInterval(() => context.heartbeat(details), 1_000);
  try {
    return await work(context.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}

const stopIfCancelled = (signal: AbortSignal) => {
  if (signal.aborted) throw signal.reason;
};

/** The steps of generateReport; each is safe to run again (every file is written whole, by key). */
export function createReportActivities({ db, blobs, engine, answers }: ReportActivityDeps) {
  const answer = <T>(kind: string, request: unknown, compute: () => Promise<T>) => (answers ? answers.answer(kind, request, compute) : compute());

  async function computePart(reportId: string, part: ReportPart): Promise<void> {
    const { spec } = await requireReport(db, reportId);
    if (part === 'data') {
      const query = reportQuery(spec);
      const data = await answer('query', query, () => engine.query(query));
      await writeJson(blobs, contentPartKey(reportId, part), { generatedAt: new Date().toISOString(), data } satisfies DataPart);
      return;
    }
    const pivot = pivotRequest(spec);
    const forecast = forecastRequest(spec);
    const anomalies = anomalyRequest(spec);
    const result =
      part === 'pivot' && pivot ? await answer('pivot', pivot, () => pivotQuery(engine, pivot))
      : part === 'forecast' && forecast ? await answer('forecast', forecast, () => forecastSeries(engine, forecast))
      : part === 'anomalies' && anomalies ? await answer('anomalies', anomalies, () => detectAnomalies(engine, anomalies))
      : undefined;
    if (result === undefined) throw new ReportSpecError([{ field: part, detail: 'this report has no such view' }]);
    await writeJson(blobs, contentPartKey(reportId, part), result);
  }

  return withFailureMapping({
    /** Checks the stored spec again (the catalog may have changed) and says what the run will do. */
    async compileReport({ reportId }: { reportId: string }): Promise<{ parts: ReportPart[]; charts: number; formats: ReportFormat[] }> {
      const { spec } = await requireReport(db, reportId);
      await recordStage(db, reportId, 'compile', STAGE_PROGRESS.compile);
      const problems = checkReportSpec(spec, engine);
      if (problems.length) throw new ReportSpecError(problems);
      const parts: ReportPart[] = ['data'];
      if (spec.pivot) parts.push('pivot');
      if (spec.forecast) parts.push('forecast');
      if (spec.anomalies) parts.push('anomalies');
      return { parts, charts: spec.charts?.length ?? 0, formats: spec.formats };
    },

    /** The table, a pivot, a forecast or the anomalies, into its blob. A query over a limit fails for good (E_QUERY_*). */
    async computeReportPart({ reportId, part }: { reportId: string; part: ReportPart }): Promise<void> {
      await recordStage(db, reportId, part === 'data' ? 'query' : 'analyse', part === 'data' ? STAGE_PROGRESS.query : STAGE_PROGRESS.analyse);
      await beating({ part }, () => computePart(reportId, part));
    },

    async renderCharts({ reportId }: { reportId: string }): Promise<void> {
      await recordStage(db, reportId, 'render', STAGE_PROGRESS.render);
      await beating({ stage: 'render' }, async (signal) => {
        const report = await requireReport(db, reportId);
        const charts = await renderReportCharts(report.spec.charts ?? [], await loadContent(blobs, report));
        stopIfCancelled(signal);
        await saveCharts(blobs, reportId, charts);
      });
    },

    /**
     * One format, streamed into blob storage while hashed; the blob appears whole
     * or not at all (BlobStore.put), so a rerun replaces it with its own bytes and
     * the sha256 returned is always that of the stored file.
     */
    async exportReport({ reportId, format, progress }: { reportId: string; format: ReportFormat; progress: number }): Promise<ReportArtifact> {
      await recordStage(db, reportId, 'export', progress);
      return beating({ format }, async (signal) => {
        const report = await requireReport(db, reportId);
        const [content, charts] = await Promise.all([loadContent(blobs, report), loadCharts(blobs, reportId)]);
        const key = artifactKey(reportId, format);
        const hash = createHash('sha256');
        const out = new PassThrough();
        const hashing = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            hash.update(chunk);
            done(null, chunk);
          },
        });
        out.on('error', (error) => hashing.destroy(error));
        const stored = blobs.put(key, out.pipe(hashing));
        const abort = () => out.destroy(signal.reason instanceof Error ? signal.reason : new Error('cancelled'));
        signal.addEventListener('abort', abort, { once: true });
        try {
          await writeReport(format, content, charts, out);
          if (!out.writableEnded) out.end();
          const { size } = await stored;
          stopIfCancelled(signal);
          return { format, bytes: size, sha256: hash.digest('hex'), key };
        } catch (error) {
          out.destroy();
          await stored.catch(() => {});
          throw error;
        } finally {
          signal.removeEventListener('abort', abort);
        }
      });
    },

    /** Succeeded: the files are listed; the intermediate parts and chart images go. */
    async completeReport({ reportId, artifacts }: { reportId: string; artifacts: ReportArtifact[] }): Promise<void> {
      await finishReport(db, reportId, { status: 'succeeded', artifacts });
      await removeReportFiles(blobs, reportId, 'parts/');
      await removeReportFiles(blobs, reportId, 'charts/');
    },

    /** Failed or cancelled: the reason is recorded, and every file it wrote (partial artifacts too) is removed. */
    async abandonReport(input: { reportId: string; status: 'failed' | 'cancelled'; error: { code: string; message: string } }): Promise<void> {
      await finishReport(db, input.reportId, { status: input.status, error: input.error });
      await removeReportFiles(blobs, input.reportId);
    },
  });
}

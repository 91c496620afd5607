/** Names shared by the generateReport workflow, the reports worker and the API. Safe to import from workflow code. */
import { defineQuery } from '@temporalio/workflow';

export interface GenerateReportInput {
  /** The reports row; its resolved spec is there, so the workflow carries only the id. */
  reportId: string;
}

/**
 * Stages in order: compile (check the spec), query (the report's table), analyse
 * (pivot, forecast, anomalies), render (charts), export (each format, stored as it
 * is written), finish; then the outcome.
 */
export type ReportStage = 'queued' | 'compile' | 'query' | 'analyse' | 'render' | 'export' | 'finish' | 'succeeded' | 'failed' | 'cancelled';

export interface ReportProgress {
  stage: ReportStage;
  /** 0..1 over the whole report. */
  progress: number;
}

export const reportProgressQuery = defineQuery<ReportProgress>('progress');

/** A report's workflow id: from its id, so a repeated start (an Idempotency-Key) joins the same run. */
export const reportWorkflowId = (reportId: string) => `report-${reportId}`;

export type { ReportPart } from '../lib/reports/blob-keys.ts';

/** Where each stage starts, as a fraction of the whole; exports share the span up to `finish`. */
export const STAGE_PROGRESS = { compile: 0.02, query: 0.05, analyse: 0.3, render: 0.55, export: 0.7, finish: 0.97 } as const;

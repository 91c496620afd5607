/**
 * The kinds of Schedule the API manages, and the policies each has on purpose
 * (see the README's Schedules section for the reasoning):
 *
 * - backup: SKIP, catch-up 1 day. A backup is a full snapshot: two at once would
 *   compete for the database and prove the same thing. A night missed while the
 *   Temporal server was down is taken once when it is back within a day; older
 *   misses are not worth a burst of backups, the next night's comes anyway.
 * - kb-sync: BUFFER_ONE, catch-up 1 hour. Changes made while a sync runs must be
 *   picked up after it, so one firing waits; more would add nothing (one sync
 *   covers every change since the checkpoint). A missed hour is made up once.
 * - report-delivery: SKIP, catch-up 1 day. A recipient gets one copy per firing,
 *   never two racing ones; a delivery a few hours late is still wanted, one more
 *   than a day late is stale and the next firing brings a fresh report.
 * - search-sync: SKIP, catch-up 10 minutes. Each firing only asks the one search
 *   sync run to go round again; a missed one is covered by the next.
 *
 * A backfill takes every firing in its range one after another (BUFFER_ALL):
 * asking for them is the point.
 */
export const SCHEDULE_KINDS = ['backup', 'kb-sync', 'report-delivery', 'search-sync'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

export type OverlapPolicy = 'SKIP' | 'BUFFER_ONE' | 'BUFFER_ALL';

export interface KindPolicy {
  overlap: OverlapPolicy;
  /** Temporal's catch-up window, in ms (shown as a duration). */
  catchupWindowMs: number;
  /** The workflow each firing starts, and the task queue setting it runs on. */
  workflowType: 'backupPlatform' | 'syncKnowledgeBase' | 'deliverReport' | 'scheduledSearchSync';
  queue: 'MAINTENANCE_TASK_QUEUE' | 'REPORTS_TASK_QUEUE' | 'INGEST_TASK_QUEUE';
  /** JobKind of the runs, for the Web UI's filters. */
  jobKind: string;
}

const HOUR = 3_600_000;

export const KIND_POLICIES: Record<ScheduleKind, KindPolicy> = {
  backup: { overlap: 'SKIP', catchupWindowMs: 24 * HOUR, workflowType: 'backupPlatform', queue: 'MAINTENANCE_TASK_QUEUE', jobKind: 'backup' },
  'kb-sync': { overlap: 'BUFFER_ONE', catchupWindowMs: HOUR, workflowType: 'syncKnowledgeBase', queue: 'MAINTENANCE_TASK_QUEUE', jobKind: 'kb-sync' },
  'report-delivery': { overlap: 'SKIP', catchupWindowMs: 24 * HOUR, workflowType: 'deliverReport', queue: 'REPORTS_TASK_QUEUE', jobKind: 'report-delivery' },
  'search-sync': { overlap: 'SKIP', catchupWindowMs: 10 * 60_000, workflowType: 'scheduledSearchSync', queue: 'INGEST_TASK_QUEUE', jobKind: 'search-sync' },
};

/** A backfill runs every firing in its range, one after another. */
export const BACKFILL_OVERLAP: OverlapPolicy = 'BUFFER_ALL';

/** Bounds of the API's requests: a backfill range and its firings, Schedules per tenant, a preview. */
export const SCHEDULE_LIMITS = {
  backfillMaxDays: 31,
  backfillMaxFirings: 50,
  perTenant: 100,
  recipients: 50,
} as const;

/** `HH:MM:SS`-free, human durations for the view: 1d, 1h, 10m. */
export function durationText(ms: number): string {
  if (ms % (24 * HOUR) === 0) return `${ms / (24 * HOUR)}d`;
  if (ms % HOUR === 0) return `${ms / HOUR}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

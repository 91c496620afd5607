/** The reports table: what a report is doing, read by the API and written by its workflow's activities. */
import type { Queryable } from '../db/index.ts';
import { AppError } from '../errors.ts';
import type { ReportFormat, ReportSpec } from './types.ts';

export type ReportStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export const FINISHED: readonly ReportStatus[] = ['succeeded', 'failed', 'cancelled'];

export interface ReportArtifact {
  format: ReportFormat;
  bytes: number;
  sha256: string;
  key: string;
}

export interface ReportRecord {
  id: string;
  tenant: string;
  title: string;
  spec: ReportSpec;
  templateId: string | null;
  parameters: Record<string, unknown> | null;
  requestHash: string | null;
  status: ReportStatus;
  progress: number;
  stage: string;
  artifacts: ReportArtifact[];
  error: { code: string; message: string } | null;
  workflowId: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export class ReportNotFoundError extends AppError {
  constructor(id: string) {
    super('E_REPORT_NOT_FOUND', `no report ${id}`);
  }
}

type Row = Record<string, unknown>;
const iso = (v: unknown) => new Date(v as string).toISOString();
/** PGlite and pg both parse jsonb; a driver handing back text is parsed here. */
const jsonOf = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

const toRecord = (r: Row): ReportRecord => ({
  id: r.id as string,
  tenant: r.tenant as string,
  title: r.title as string,
  spec: jsonOf(r.spec),
  templateId: (r.template_id as string | null) ?? null,
  parameters: r.parameters == null ? null : jsonOf(r.parameters),
  requestHash: (r.request_hash as string | null) ?? null,
  status: r.status as ReportStatus,
  progress: Number(r.progress),
  stage: r.stage as string,
  artifacts: jsonOf(r.artifacts),
  error: r.error == null ? null : jsonOf(r.error),
  workflowId: r.workflow_id as string,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
  finishedAt: r.finished_at ? iso(r.finished_at) : null,
});

export interface NewReport {
  id: string;
  tenant: string;
  spec: ReportSpec;
  templateId?: string;
  parameters?: Record<string, unknown>;
  requestHash?: string;
  workflowId: string;
}

/** Inserts the report; an id already taken (a repeated Idempotency-Key) inserts nothing and returns the row there. */
export async function insertReport(db: Queryable, input: NewReport): Promise<{ record: ReportRecord; created: boolean }> {
  const { rows } = await db.query<Row>(
    `insert into reports (id, tenant, title, spec, template_id, parameters, request_hash, workflow_id)
     values ($1, $2, $3, $4::jsonb, $5, $6::jsonb, $7, $8) on conflict (id) do nothing returning *`,
    [
      input.id,
      input.tenant,
      input.spec.title,
      JSON.stringify(input.spec),
      input.templateId ?? null,
      input.parameters ? JSON.stringify(input.parameters) : null,
      input.requestHash ?? null,
      input.workflowId,
    ],
  );
  if (rows[0]) return { record: toRecord(rows[0]), created: true };
  const existing = await db.query<Row>('select * from reports where id = $1', [input.id]);
  return { record: toRecord(existing.rows[0]!), created: false };
}

/** The tenant's report, or undefined: another tenant's report is as absent as a missing one. */
export async function getReport(db: Queryable, tenant: string, id: string): Promise<ReportRecord | undefined> {
  const { rows } = await db.query<Row>('select * from reports where id = $1 and tenant = $2', [id, tenant]);
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/** For the workflow's activities, which act on a report by id alone. */
export async function requireReport(db: Queryable, id: string): Promise<ReportRecord> {
  const { rows } = await db.query<Row>('select * from reports where id = $1', [id]);
  if (!rows[0]) throw new ReportNotFoundError(id);
  return toRecord(rows[0]);
}

export async function deleteReport(db: Queryable, id: string): Promise<void> {
  await db.query('delete from reports where id = $1', [id]);
}

/** Newest first; `after` is the (created_at, id) of the previous page's last row. */
export async function listReports(
  db: Queryable,
  tenant: string,
  page: { limit: number; after?: { createdAt: string; id: string } },
): Promise<{ items: ReportRecord[]; next?: { createdAt: string; id: string } }> {
  // The cursor keeps created_at to the microsecond (an ISO string in ms would skip rows within that ms).
  const select = `select *, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as position from reports`;
  const { rows } = page.after
    ? await db.query<Row>(
        `${select} where tenant = $1 and (created_at, id) < ($2::timestamptz, $3) order by created_at desc, id desc limit $4`,
        [tenant, page.after.createdAt, page.after.id, page.limit + 1],
      )
    : await db.query<Row>(`${select} where tenant = $1 order by created_at desc, id desc limit $2`, [tenant, page.limit + 1]);
  const shown = rows.slice(0, page.limit);
  const last = shown.at(-1);
  return {
    items: shown.map(toRecord),
    next: rows.length > page.limit && last ? { createdAt: last.position as string, id: last.id as string } : undefined,
  };
}

/** A stage begins: status running, progress only forward. A finished report stays as it ended. */
export async function recordStage(db: Queryable, id: string, stage: string, progress: number): Promise<void> {
  await db.query(
    `update reports set status = 'running', stage = $2, progress = greatest(progress, $3), updated_at = now()
     where id = $1 and status in ('queued', 'running')`,
    [id, stage, progress],
  );
}

/** The end of a report: its outcome, its files (succeeded) or its error (failed, cancelled). */
export async function finishReport(
  db: Queryable,
  id: string,
  outcome: { status: 'succeeded' | 'failed' | 'cancelled'; artifacts?: ReportArtifact[]; error?: { code: string; message: string } },
): Promise<void> {
  await db.query(
    `update reports set status = $2, stage = $2, artifacts = $3::jsonb, error = $4::jsonb,
       progress = case when $2 = 'succeeded' then 1 else progress end, updated_at = now(), finished_at = now()
     where id = $1`,
    [id, outcome.status, JSON.stringify(outcome.artifacts ?? []), outcome.error ? JSON.stringify(outcome.error) : null],
  );
}

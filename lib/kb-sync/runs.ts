/**
 * Sync runs (kb_syncs): one row per sync of a knowledge base, at most one open
 * (queued or running) per knowledge base, so a second request joins the first.
 * The API reads progress from here: no Temporal query on the read path.
 */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../db/index.ts';
import { emptyCounts, type SyncCounts, type SyncRun, type SyncStatus } from './types.ts';

export const SYNC_ID_PATTERN = '^sync_[0-9a-f]{24}$';
export const newSyncId = () => `sync_${randomBytes(12).toString('hex')}`;

const columns = 'id, tenant, knowledge_base, workflow_id, status, counts, error, created_at, updated_at, finished_at';

function toRun(row: Record<string, unknown>): SyncRun {
  return {
    id: row.id as string,
    tenant: row.tenant as string,
    knowledgeBase: row.knowledge_base as string,
    workflowId: row.workflow_id as string,
    status: row.status as SyncStatus,
    counts: { ...emptyCounts(), ...(row.counts as Partial<SyncCounts>) },
    error: (row.error as SyncRun['error']) ?? null,
    createdAt: new Date(row.created_at as string).toISOString(),
    updatedAt: new Date(row.updated_at as string).toISOString(),
    finishedAt: row.finished_at ? new Date(row.finished_at as string).toISOString() : null,
  };
}

async function openRun(db: Queryable, tenant: string, knowledgeBase: string): Promise<SyncRun | undefined> {
  const { rows } = await db.query(`select ${columns} from kb_syncs where tenant = $1 and knowledge_base = $2 and status in ('queued', 'running')`, [
    tenant,
    knowledgeBase,
  ]);
  return rows[0] ? toRun(rows[0]) : undefined;
}

/** The open run of the knowledge base, or a new `queued` one (`created`). */
export async function openSyncRun(
  db: Queryable,
  input: { tenant: string; knowledgeBase: string; workflowId: string },
): Promise<{ run: SyncRun; created: boolean }> {
  const id = newSyncId();
  const inserted = await db.query(
    `insert into kb_syncs (id, tenant, knowledge_base, workflow_id, status) values ($1, $2, $3, $4, 'queued') on conflict do nothing returning id`,
    [id, input.tenant, input.knowledgeBase, input.workflowId],
  );
  const run = await openRun(db, input.tenant, input.knowledgeBase);
  if (!run) return openSyncRun(db, input); // the open run finished between the two statements: open a new one
  return { run, created: inserted.rows.length > 0 };
}

/**
 * The workflow takes up the open run (the API's queued row, or one a crashed chain
 * left running) or, started by a Schedule, opens its own under `proposedId`.
 */
export async function beginSyncRun(
  db: Queryable,
  input: { tenant: string; knowledgeBase: string; workflowId: string; proposedId: string },
): Promise<SyncRun> {
  await db.query(
    `insert into kb_syncs (id, tenant, knowledge_base, workflow_id, status) values ($1, $2, $3, $4, 'running') on conflict do nothing`,
    [input.proposedId, input.tenant, input.knowledgeBase, input.workflowId],
  );
  const { rows } = await db.query(
    `update kb_syncs set status = 'running', updated_at = now() where tenant = $1 and knowledge_base = $2 and status in ('queued', 'running')
     returning ${columns}`,
    [input.tenant, input.knowledgeBase],
  );
  return toRun(rows[0]!);
}

export async function recordSyncProgress(db: Queryable, id: string, counts: SyncCounts): Promise<void> {
  await db.query(`update kb_syncs set counts = $2::jsonb, updated_at = now() where id = $1 and status = 'running'`, [id, JSON.stringify(counts)]);
}

export async function finishSyncRun(
  db: Queryable,
  id: string,
  outcome: { status: 'succeeded' | 'failed'; counts: SyncCounts; error?: { code: string; message: string } },
): Promise<void> {
  await db.query(
    `update kb_syncs set status = $2, counts = $3::jsonb, error = $4::jsonb, updated_at = now(), finished_at = now() where id = $1`,
    [id, outcome.status, JSON.stringify(outcome.counts), outcome.error ? JSON.stringify(outcome.error) : null],
  );
}

/** The newest run of the knowledge base, open or finished. */
export async function latestSyncRun(db: Queryable, tenant: string, knowledgeBase: string): Promise<SyncRun | undefined> {
  const { rows } = await db.query(`select ${columns} from kb_syncs where tenant = $1 and knowledge_base = $2 order by created_at desc, id desc limit 1`, [
    tenant,
    knowledgeBase,
  ]);
  return rows[0] ? toRun(rows[0]) : undefined;
}

/** Undoes a queued run whose workflow could not be started. */
export async function deleteSyncRun(db: Queryable, id: string): Promise<void> {
  await db.query(`delete from kb_syncs where id = $1 and status = 'queued'`, [id]);
}

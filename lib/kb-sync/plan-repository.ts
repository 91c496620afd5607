/**
 * A scan's plan (kb_sync_plan) and applying its steps to the checkpoint
 * (kb_source_files). The workflow carries only the scan id and a sequence number:
 * the plan itself stays here, however large the tree.
 */
import type { Database, Queryable } from '../db/index.ts';
import type { PlanStep, ScannedFile } from './types.ts';

export interface PlannedStep {
  seq: number;
  step: PlanStep;
}

/** What applying one step came to; the checkpoint records it once the batch's workflows have finished. */
export type StepOutcome =
  | { action: 'rename'; path: string; oldPath: string; file: ScannedFile }
  | { action: 'upsert'; path: string; changed: boolean; file: ScannedFile; documentId: string | null; status: 'synced' | 'failed' | 'retry'; error?: { code: string; message: string } }
  | { action: 'forget'; path: string }
  | { action: 'release'; documentId: string; deleted: boolean };

/** Replaces the source's plan with this scan's, numbered from 1 in the order the steps must run. */
export async function savePlan(db: Database, scanId: string, sourceId: string, steps: readonly PlanStep[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('delete from kb_sync_plan where source_id = $1', [sourceId]);
    // In slices: one statement per 500 steps keeps parameters bounded on a large tree.
    for (let start = 0; start < steps.length; start += 500) {
      const slice = steps.slice(start, start + 500);
      const column = <T>(pick: (s: PlanStep) => T) => slice.map(pick);
      const file = (s: PlanStep) => (s.action === 'rename' || s.action === 'upsert' ? s.file : undefined);
      await tx.query(
        `insert into kb_sync_plan (scan_id, source_id, seq, action, path, old_path, size_bytes, mtime_ms, git_blob, sha256, document_id, changed)
         select $1::text, $2::text, * from unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::text[], $10::text[], $11::text[], $12::boolean[])`,
        [
          scanId,
          sourceId,
          slice.map((_, i) => start + i + 1),
          column((s) => s.action),
          column((s) => ('path' in s ? s.path : null)),
          column((s) => (s.action === 'rename' ? s.oldPath : null)),
          column((s) => file(s)?.size ?? null),
          column((s) => file(s)?.mtimeMs ?? null),
          column((s) => file(s)?.gitBlob ?? null),
          column((s) => file(s)?.sha256 ?? null),
          column((s) => (s.action === 'release' || s.action === 'rename' ? s.documentId : null)),
          column((s) => s.action === 'upsert' && s.changed),
        ],
      );
    }
  });
}

/** The next `limit` steps after `afterSeq`. */
export async function readPlanBatch(db: Queryable, scanId: string, afterSeq: number, limit: number): Promise<PlannedStep[]> {
  const { rows } = await db.query(
    `select seq, action, path, old_path, size_bytes, mtime_ms, git_blob, sha256, document_id, changed
     from kb_sync_plan where scan_id = $1 and seq > $2 order by seq limit $3`,
    [scanId, afterSeq, limit],
  );
  return rows.map((r) => {
    const file: ScannedFile = {
      path: r.path as string,
      size: Number(r.size_bytes ?? 0),
      mtimeMs: r.mtime_ms === null ? null : Number(r.mtime_ms),
      gitBlob: (r.git_blob as string | null) ?? null,
      sha256: (r.sha256 as string | null) ?? null,
    };
    const action = r.action as PlanStep['action'];
    const step: PlanStep =
      action === 'rename' ? { action, path: file.path, oldPath: r.old_path as string, documentId: (r.document_id as string | null) ?? null, file }
      : action === 'upsert' ? { action, path: file.path, changed: Boolean(r.changed), file }
      : action === 'forget' ? { action, path: r.path as string }
      : { action, documentId: r.document_id as string };
    return { seq: Number(r.seq), step };
  });
}

export async function dropPlan(db: Queryable, scanId: string): Promise<void> {
  await db.query('delete from kb_sync_plan where scan_id = $1', [scanId]);
}

/** Records a batch's outcomes in the checkpoint, in one transaction: a crash leaves the batch all applied or not at all. */
export async function commitOutcomes(db: Database, sourceId: string, outcomes: readonly StepOutcome[]): Promise<void> {
  await db.transaction(async (tx) => {
    for (const o of outcomes) {
      if (o.action === 'rename') {
        await tx.query(
          `update kb_source_files set path = $3, size_bytes = $4, mtime_ms = $5, git_blob = coalesce($6, git_blob), updated_at = now()
           where source_id = $1 and path = $2`,
          [sourceId, o.oldPath, o.path, o.file.size, o.file.mtimeMs, o.file.gitBlob],
        );
      } else if (o.action === 'upsert') {
        await tx.query(
          `insert into kb_source_files (source_id, path, size_bytes, mtime_ms, git_blob, sha256, document_id, status, error)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
           on conflict (source_id, path) do update set size_bytes = excluded.size_bytes, mtime_ms = excluded.mtime_ms,
             git_blob = excluded.git_blob, sha256 = excluded.sha256, document_id = excluded.document_id, status = excluded.status,
             error = excluded.error, updated_at = now()`,
          [sourceId, o.path, o.file.size, o.file.mtimeMs, o.file.gitBlob, o.file.sha256, o.documentId, o.status, o.error ? JSON.stringify(o.error) : null],
        );
      } else if (o.action === 'forget') {
        await tx.query('delete from kb_source_files where source_id = $1 and path = $2', [sourceId, o.path]);
      }
    }
  });
}

/** The source's plan is applied: record the commit it now describes (Git) and when. */
export async function markSourceSynced(db: Queryable, sourceId: string, commit: string | null): Promise<void> {
  await db.query('update kb_sources set last_commit = coalesce($2, last_commit), last_synced_at = now(), last_error = null where id = $1', [
    sourceId,
    commit,
  ]);
}

export async function markSourceFailed(db: Queryable, sourceId: string, error: { code: string; message: string }): Promise<void> {
  await db.query('update kb_sources set last_error = $2::jsonb where id = $1', [sourceId, JSON.stringify(error)]);
}

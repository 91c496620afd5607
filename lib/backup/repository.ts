/** The backups table: the catalog of stored backups, read by the API and written by the backup workflows' activities. */
import type { Queryable } from '../db/index.ts';
import { AppError } from '../errors.ts';
import type { BackupManifest, BackupRecord, BackupRestoreState, BackupStatus, BackupTrigger, BackupVerification } from './types.ts';

type Row = Record<string, unknown>;
const iso = (v: unknown) => new Date(v as string).toISOString();
/** PGlite and pg both parse jsonb; a driver handing back text is parsed here. */
const jsonOf = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

export class BackupNotFoundError extends AppError {
  constructor(id: string) {
    super('E_BACKUP_NOT_FOUND', `no backup ${id}`);
  }
}

const toRecord = (r: Row): BackupRecord => ({
  id: r.id as string,
  status: r.status as BackupStatus,
  trigger: jsonOf(r.trigger),
  ...(r.manifest != null ? { manifest: jsonOf<BackupManifest>(r.manifest) } : {}),
  ...(r.verification != null ? { verification: jsonOf<BackupVerification>(r.verification) } : {}),
  ...(r.retention != null ? { retention: r.retention as BackupRecord['retention'] } : {}),
  ...(r.error != null ? { error: jsonOf<{ code: string; message: string }>(r.error) } : {}),
  workflowId: r.workflow_id as string,
  createdAt: iso(r.created_at),
  ...(r.finished_at ? { finishedAt: iso(r.finished_at) } : {}),
  ...(r.last_restore != null ? { lastRestore: jsonOf<BackupRestoreState>(r.last_restore) } : {}),
});

/**
 * Records a backup as `running`; an id already there (the workflow's retry, or the
 * API having inserted it before starting the workflow) is left as it is.
 */
export async function insertBackup(db: Queryable, input: { id: string; trigger: BackupTrigger; workflowId: string }): Promise<BackupRecord> {
  await db.query(
    `insert into backups (id, trigger, workflow_id) values ($1, $2::jsonb, $3) on conflict (id) do nothing`,
    [input.id, JSON.stringify(input.trigger), input.workflowId],
  );
  return requireBackup(db, input.id);
}

export async function getBackup(db: Queryable, id: string): Promise<BackupRecord | undefined> {
  const { rows } = await db.query<Row>('select * from backups where id = $1', [id]);
  return rows[0] ? toRecord(rows[0]) : undefined;
}

export async function requireBackup(db: Queryable, id: string): Promise<BackupRecord> {
  const record = await getBackup(db, id);
  if (!record) throw new BackupNotFoundError(id);
  return record;
}

/** Newest first, deleted ones included (their status says so); `after` is the previous page's last (createdAt, id). */
export async function listBackups(
  db: Queryable,
  page: { limit: number; after?: { createdAt: string; id: string } },
): Promise<{ items: BackupRecord[]; next?: { createdAt: string; id: string } }> {
  // The cursor keeps created_at to the microsecond (an ISO string in ms would skip rows within that ms).
  const select = `select *, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as position from backups`;
  const { rows } = page.after
    ? await db.query<Row>(`${select} where (created_at, id) < ($1::timestamptz, $2) order by created_at desc, id desc limit $3`, [
        page.after.createdAt,
        page.after.id,
        page.limit + 1,
      ])
    : await db.query<Row>(`${select} order by created_at desc, id desc limit $1`, [page.limit + 1]);
  const shown = rows.slice(0, page.limit);
  const last = shown.at(-1);
  return {
    items: shown.map(toRecord),
    next: rows.length > page.limit && last ? { createdAt: last.position as string, id: last.id as string } : undefined,
  };
}

/** The parts are stored: the manifest is recorded and the backup is being verified. Only a running backup moves on. */
export async function recordManifest(db: Queryable, id: string, manifest: BackupManifest): Promise<void> {
  await db.query(
    `update backups set status = 'verifying', manifest = $2::jsonb, updated_at = now() where id = $1 and status in ('running', 'verifying')`,
    [id, JSON.stringify(manifest)],
  );
}

/** The outcome of a verification: verified, or failed with the problems as its error. A deleted backup stays deleted. */
export async function recordVerification(db: Queryable, id: string, verification: BackupVerification): Promise<BackupStatus> {
  const status: BackupStatus = verification.ok ? 'verified' : 'failed';
  const error = verification.ok ? null : { code: 'E_BACKUP_VERIFICATION', message: verification.problems.join('; ') };
  const { rows } = await db.query<{ status: BackupStatus }>(
    `update backups set status = $2, verification = $3::jsonb, error = $4::jsonb, updated_at = now(), finished_at = coalesce(finished_at, now())
     where id = $1 and status <> 'deleted' returning status`,
    [id, status, JSON.stringify(verification), error && JSON.stringify(error)],
  );
  return rows[0]?.status ?? 'deleted';
}

/** A backup that stopped: failed with its reason (its files are removed by the caller). A verified one is not downgraded. */
export async function failBackup(db: Queryable, id: string, error: { code: string; message: string }): Promise<void> {
  await db.query(
    `update backups set status = 'failed', error = $2::jsonb, updated_at = now(), finished_at = now() where id = $1 and status in ('running', 'verifying')`,
    [id, JSON.stringify(error)],
  );
}

/** Verified backups, newest first: what retention chooses from. */
export async function listVerifiedBackups(db: Queryable): Promise<{ id: string; createdAt: string }[]> {
  const { rows } = await db.query<Row>(`select id, created_at from backups where status = 'verified' order by created_at desc, id desc`);
  return rows.map((r) => ({ id: r.id as string, createdAt: iso(r.created_at) }));
}

export async function setRetention(db: Queryable, id: string, retention: 'daily' | 'weekly' | 'monthly'): Promise<void> {
  await db.query('update backups set retention = $2 where id = $1', [id, retention]);
}

/** Retention removed its files: the row stays as a record, marked deleted. */
export async function markDeleted(db: Queryable, id: string): Promise<void> {
  await db.query(`update backups set status = 'deleted', retention = null, updated_at = now() where id = $1`, [id]);
}

/** Backups still running or verifying that no activity has touched for `staleMs`: their run died. */
export async function listStaleBackups(db: Queryable, staleMs: number, except: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `select id from backups where status in ('running', 'verifying') and id <> $2 and updated_at < now() - make_interval(secs => $1::double precision / 1000)`,
    [staleMs, except],
  );
  return rows.map((r) => r.id);
}

/** A long step is alive: stale detection (listStaleBackups) leaves this backup alone. */
export async function touchBackup(db: Queryable, id: string): Promise<void> {
  await db.query(`update backups set updated_at = now() where id = $1 and status in ('running', 'verifying')`, [id]);
}

export async function recordRestore(db: Queryable, id: string, state: BackupRestoreState): Promise<void> {
  await db.query('update backups set last_restore = $2::jsonb where id = $1', [id, JSON.stringify(state)]);
}

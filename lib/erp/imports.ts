/** The erp_imports table: what an import is doing, read by the API and written by its workflow's activities. */
import type { Queryable } from '../db/index.ts';
import { AppError } from '../errors.ts';
import type { ImportError } from './csv-import.ts';
import type { ErpTable } from './tables.ts';

export type ImportStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface ImportRecord {
  id: string;
  table: ErpTable;
  blobKey: string;
  workflowId: string;
  status: ImportStatus;
  /** Data rows in the file, once validated. */
  rows: number;
  /** Rows written so far (each batch once). */
  imported: number;
  batchesDone: number;
  progress: number;
  errors: ImportError[];
  error: { code: string; message: string } | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export class ImportNotFoundError extends AppError {
  constructor(id: string) {
    super('E_IMPORT_NOT_FOUND', `no import ${id}`);
  }
}

/** Where an import's file waits for its workflow. */
export const importBlobKey = (id: string) => `erp-imports/${id}.csv`;

interface Row {
  id: string;
  table_name: ErpTable;
  blob_key: string;
  workflow_id: string;
  status: ImportStatus;
  rows: number;
  imported: number;
  batches_done: number;
  progress: number;
  errors: ImportError[] | string;
  error_code: string | null;
  error_message: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  finished_at: Date | string | null;
}

const iso = (v: Date | string) => new Date(v).toISOString();
const toRecord = (r: Row): ImportRecord => ({
  id: r.id,
  table: r.table_name,
  blobKey: r.blob_key,
  workflowId: r.workflow_id,
  status: r.status,
  rows: Number(r.rows),
  imported: Number(r.imported),
  batchesDone: Number(r.batches_done),
  progress: Number(r.progress),
  errors: typeof r.errors === 'string' ? JSON.parse(r.errors) : r.errors,
  error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : null,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
  finishedAt: r.finished_at ? iso(r.finished_at) : null,
});

export async function insertImport(db: Queryable, input: { id: string; table: ErpTable; blobKey: string; workflowId: string }): Promise<ImportRecord> {
  const { rows } = await db.query<Row>(
    'insert into erp_imports (id, table_name, blob_key, workflow_id) values ($1, $2, $3, $4) returning *',
    [input.id, input.table, input.blobKey, input.workflowId],
  );
  return toRecord(rows[0]!);
}

export async function getImport(db: Queryable, id: string): Promise<ImportRecord | undefined> {
  const { rows } = await db.query<Row>('select * from erp_imports where id = $1', [id]);
  return rows[0] ? toRecord(rows[0]) : undefined;
}

export async function requireImport(db: Queryable, id: string): Promise<ImportRecord> {
  const found = await getImport(db, id);
  if (!found) throw new ImportNotFoundError(id);
  return found;
}

export async function deleteImport(db: Queryable, id: string): Promise<void> {
  await db.query('delete from erp_imports where id = $1', [id]);
}

/** Marks the import running (a finished one stays as it ended). */
export async function markImportRunning(db: Queryable, id: string): Promise<void> {
  await db.query(`update erp_imports set status = 'running', updated_at = now() where id = $1 and status = 'queued'`, [id]);
}

/** The validation's outcome: the row count, and the errors of a bad file. */
export async function recordValidation(db: Queryable, id: string, result: { rows: number; errors: ImportError[] }): Promise<void> {
  await db.query(`update erp_imports set rows = $2, errors = $3::jsonb, progress = greatest(progress, 0.1), updated_at = now() where id = $1`, [
    id,
    result.rows,
    JSON.stringify(result.errors),
  ]);
}

/** One batch written: the checkpoint moves with it, inside the batch's transaction. */
export async function recordBatch(db: Queryable, id: string, batchIndex: number, rows: number): Promise<void> {
  await db.query(
    `update erp_imports set batches_done = $2 + 1, imported = imported + $3,
       progress = 0.1 + 0.85 * least(1, (imported + $3)::real / greatest(rows, 1)), updated_at = now()
     where id = $1 and batches_done = $2`,
    [id, batchIndex, rows],
  );
}

export async function finishImport(
  db: Queryable,
  id: string,
  outcome: { status: 'completed' | 'failed'; error?: { code: string; message: string } },
): Promise<void> {
  await db.query(
    `update erp_imports set status = $2, error_code = $3, error_message = $4,
       progress = case when $2 = 'completed' then 1 else progress end, updated_at = now(), finished_at = now()
     where id = $1`,
    [id, outcome.status, outcome.error?.code ?? null, outcome.error?.message ?? null],
  );
}

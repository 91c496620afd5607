import { Context } from '@temporalio/activity';
import type { BlobStore } from '../lib/blob/port.ts';
import type { CacheScope } from '../lib/cache/index.ts';
import type { Database } from '../lib/db/index.ts';
import { csvBatches, validateCsv, type ImportError } from '../lib/erp/csv-import.ts';
import { erpCacheTags } from '../lib/erp/cache-tags.ts';
import { finishImport, markImportRunning, recordBatch, recordValidation, requireImport } from '../lib/erp/imports.ts';
import { TABLE_SPECS } from '../lib/erp/tables.ts';
import { upsertRows } from '../lib/erp/upsert.ts';
import { AppError } from '../lib/errors.ts';
import { withFailureMapping } from './failures.ts';
import { beat, keepBeating } from './heartbeat.ts';

export interface ErpImportDeps {
  db: Database;
  blobs: BlobStore;
  /** Rows per batch: one transaction, one checkpoint. */
  batchRows: number;
  /** Cached answers built from ERP data (reports) are dropped once an import has written. */
  cache: Pick<CacheScope, 'invalidateTags'>;
}

/** A file that passed validation but no longer reads the same: its blob changed under the import. */
class ImportFileChangedError extends AppError {
  constructor(errors: ImportError[]) {
    super('E_IMPORT_FILE_CHANGED', `the import file no longer reads as it was validated: ${errors[0]?.detail ?? 'unknown'}`);
  }
}

/** The steps of an ERP import; each is safe to run again after a crash. */
export function createErpImportActivities(deps: ErpImportDeps) {
  const { db, blobs, batchRows } = deps;

  return withFailureMapping({
    async beginImport({ importId }: { importId: string }): Promise<void> {
      await markImportRunning(db, importId);
    },

    /** Reads the whole file without writing: every cell, the header, and the references to customers and products. */
    async validateImport({ importId }: { importId: string }): Promise<{ rows: number; batches: number; errors: number }> {
      const context = Context.current();
      const record = await requireImport(db, importId);
      let rows = 0;
      const stopBeating = keepBeating(context, () => ({ rows }));
      try {
        const result = await validateCsv(db, blobs.read(record.blobKey), record.table, batchRows, (n) => (rows = n));
        await recordValidation(db, importId, result);
        return { rows: result.rows, batches: result.batches, errors: result.errors.length };
      } finally {
        stopBeating();
      }
    },

    /**
     * Writes up to `maxBatches` batches from the checkpoint on, each batch and its
     * checkpoint in one transaction. A retry (a killed worker) reads the file again,
     * skips the batches already committed and goes on from there.
     */
    async importBatches({ importId, maxBatches }: { importId: string; maxBatches: number }): Promise<{ done: boolean; batchesDone: number }> {
      const context = Context.current();
      const record = await requireImport(db, importId);
      const errors: ImportError[] = [];
      let batchesDone = record.batchesDone;
      let written = 0;
      const stopBeating = keepBeating(context, () => ({ batchesDone }));
      try {
        for await (const batch of csvBatches(blobs.read(record.blobKey), record.table, batchRows, errors)) {
          if (batch.index < batchesDone) continue;
          if (written >= maxBatches) return { done: false, batchesDone };
          if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
          await db.transaction(async (tx) => {
            const { rows } = await tx.query<{ batches_done: number }>('select batches_done from erp_imports where id = $1 for update', [importId]);
            // Another attempt (a worker presumed dead) got here first: its batch stands.
            if (Number(rows[0]?.batches_done) > batch.index) return;
            await upsertRows(tx, record.table, batch.columns, lastOfEachKey(batch.columns, TABLE_SPECS[record.table].key, batch.rows));
            await recordBatch(tx, importId, batch.index, batch.rows.length);
          });
          batchesDone = batch.index + 1;
          written++;
          beat(context, { batchesDone });
        }
      } finally {
        stopBeating();
      }
      if (errors.length) throw new ImportFileChangedError(errors);
      return { done: true, batchesDone };
    },

    /** Cached answers built from the ERP tables are stale once an import wrote to them (search catches up through its own sync). */
    async invalidateErpCaches(): Promise<void> {
      await deps.cache.invalidateTags(erpCacheTags);
    },

    async finishImport(input: { importId: string; outcome: 'completed' | 'failed'; error?: { code: string; message: string } }): Promise<void> {
      const record = await requireImport(db, input.importId);
      await finishImport(db, input.importId, { status: input.outcome, error: input.error });
      // The rows are in the tables (or the file was refused): the upload is not needed any more.
      await blobs.delete(record.blobKey);
    },
  });
}

/**
 * A key twice in one batch: the later row wins, as if the rows were written one by
 * one (one upsert statement may not touch a row twice).
 */
function lastOfEachKey(columns: string[], key: string, rows: (string | number | null)[][]): (string | number | null)[][] {
  const at = columns.indexOf(key);
  const byKey = new Map<unknown, (string | number | null)[]>();
  for (const row of rows) {
    byKey.delete(row[at]);
    byKey.set(row[at], row);
  }
  return byKey.size === rows.length ? rows : [...byKey.values()];
}

/**
 * Keeping a search engine true to PostgreSQL. Triggers queue the id of every
 * changed record in `search_changes` (migration 006); `drainChanges` takes a batch
 * of them in queue order, reads the records as they are now, writes them to the
 * engine (or removes the ones that are gone), and only then deletes the queue rows
 * it handled. An engine that is down leaves the rows where they are: nothing is
 * lost, the caller retries. `rebuildIndex` replaces an index from scratch.
 */
import type { Queryable } from '../db/index.ts';
import { AppError } from '../errors.ts';
import { INDEX_NAMES, textFields, type IndexName } from './indexes.ts';
import type { IndexRecord, SearchEngine } from './port.ts';
import { loadRecords, scanRecords } from './records.ts';
import type { Vocabulary } from './vocabulary.ts';

export interface SyncParts {
  db: Queryable;
  engine: SearchEngine;
  vocabulary: Pick<Vocabulary, 'record' | 'reset'>;
}

export interface DrainedBatch {
  /** Queue rows handled (and deleted). */
  changes: number;
  upserted: number;
  removed: number;
  /** Whether the queue held more than this batch. */
  more: boolean;
}

/** The source table of each index: a fixed map, so no identifier ever comes from input. */
const sourceTables: Record<IndexName, string> = { documents: 'documents', customers: 'customers', orders: 'orders' };

/** Handles the oldest `batchSize` queued changes of `index`. */
export async function drainChanges({ db, engine, vocabulary }: SyncParts, index: IndexName, batchSize: number): Promise<DrainedBatch> {
  const { rows } = await db.query<{ seq: string; record_id: string }>(
    'select seq, record_id from search_changes where index_name = $1 order by seq limit $2',
    [index, batchSize + 1],
  );
  const more = rows.length > batchSize;
  const batch = rows.slice(0, batchSize);
  if (batch.length === 0) return { changes: 0, upserted: 0, removed: 0, more: false };

  const ids = [...new Set(batch.map((r) => r.record_id))];
  // Read after the queue rows: each record is at least as new as the change that named it.
  const records = await loadRecords(db, index, ids, { vectors: engine.kind !== 'postgres' });
  const present = new Set(records.map((r) => r.id));
  const gone = ids.filter((id) => !present.has(id));
  if (records.length > 0) await engine.upsert(index, records);
  if (gone.length > 0) await engine.remove(index, gone);
  if (records.length > 0) await vocabulary.record(index, records.map((r) => recordText(index, r)));
  // Only the rows read: a change committed meanwhile (even with a lower seq) stays for the next batch.
  await db.query('delete from search_changes where seq = any($1::bigint[])', [batch.map((r) => r.seq)]);
  await markSynced(db, engine.kind, index, 'synced');
  return { changes: batch.length, upserted: records.length, removed: gone.length, more };
}

/** Whether more than `threshold` changes of `index` wait: past that, a rebuild is cheaper than draining. */
export async function backlogExceeds(db: Queryable, index: IndexName, threshold: number): Promise<boolean> {
  const { rows } = await db.query('select 1 from search_changes where index_name = $1 order by seq offset $2 limit 1', [index, threshold]);
  return rows.length > 0;
}

/**
 * Replaces the engine's `index` with every record PostgreSQL holds now, and its
 * vocabulary with their words; searches keep answering from the old index meanwhile.
 *
 * The changes queued so far are deleted first, in their own statement: every change
 * that statement sees was committed before the scan starts, so the scan reads its
 * record as it is now or newer. A change still uncommitted then is invisible to the
 * delete and stays for the next drain. A rebuild that fails is run again (the
 * workflow retries it until it succeeds); one that fails for good puts every record
 * of the index back in the queue, so nothing deleted here is lost.
 */
export async function rebuildIndex(
  { db, engine, vocabulary }: SyncParts,
  index: IndexName,
  batchSize: number,
  onBatch: (records: number) => void = () => {},
): Promise<{ records: number }> {
  await db.query('delete from search_changes where index_name = $1', [index]);
  await vocabulary.reset(index);
  let seen = 0;
  async function* batches(): AsyncIterable<IndexRecord[]> {
    for await (const batch of scanRecords(db, index, batchSize, { vectors: engine.kind !== 'postgres' })) {
      await vocabulary.record(index, batch.map((r) => recordText(index, r)));
      seen += batch.length;
      onBatch(seen);
      yield batch;
    }
  }
  try {
    const result = await engine.rebuild(index, batches());
    await markSynced(db, engine.kind, index, 'rebuilt');
    return result;
  } catch (error) {
    if (!(error instanceof AppError) || !error.retryable) await requeueAll(db, index);
    throw error;
  }
}

/** Every record of the index queued as changed: what a failed rebuild leaves for the drains. */
export async function requeueAll(db: Queryable, index: IndexName): Promise<void> {
  const table = sourceTables[index];
  await db.query(`insert into search_changes (index_name, record_id) select $1, id from ${table}`, [index]);
}

/** How many changes wait per index (for progress and the admin's view). */
export async function pendingChanges(db: Queryable): Promise<Record<IndexName, number>> {
  const { rows } = await db.query<{ index_name: IndexName; n: string }>(
    'select index_name, count(*) as n from search_changes group by index_name',
  );
  const pending = Object.fromEntries(INDEX_NAMES.map((i) => [i, 0])) as Record<IndexName, number>;
  for (const r of rows) pending[r.index_name] = Number(r.n);
  return pending;
}

async function markSynced(db: Queryable, engine: string, index: IndexName, what: 'synced' | 'rebuilt'): Promise<void> {
  await db.query(
    `insert into search_sync_state (engine, index_name, synced_at, rebuilt_at)
     values ($1, $2, now(), case when $3::boolean then now() end)
     on conflict (engine, index_name) do update
       set synced_at = now(), rebuilt_at = case when $3::boolean then now() else search_sync_state.rebuilt_at end`,
    [engine, index, what === 'rebuilt'],
  );
}

/** The searchable text of a record (its text fields; a document's chunks are its content), for the vocabulary. */
export function recordText(index: IndexName, record: IndexRecord): string {
  const values = record as unknown as Record<string, unknown>;
  return textFields(index)
    .map(({ field }) => (index === 'documents' && field === 'content' ? chunkText(record) : values[field]))
    .filter((v): v is string => typeof v === 'string' && v !== '')
    .join('\n');
}

function chunkText(record: IndexRecord): string {
  return 'chunks' in record ? record.chunks.map((c) => c.text).join('\n') : '';
}

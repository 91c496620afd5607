/**
 * Writing the PostgreSQL engine's index (migration 007): the side tables hold what
 * was last upserted. Only records whose source row still exists are written (the
 * side tables reference it, and a record deleted meanwhile must not come back);
 * the sync workflow removes the rest.
 */
import type { Database, Queryable } from '../../../db/index.ts';
import type { IndexName } from '../../indexes.ts';
import type { CustomerRecord, DocumentRecord, IndexRecord, OrderRecord } from '../../port.ts';
import { segmentForIndex } from '../../segment.ts';

/** Records per statement. */
const BATCH = 2000;

const tables: Record<IndexName, string> = { documents: 'search_documents', customers: 'search_customers', orders: 'search_orders' };

/** Segments texts once per call: a million orders share a few thousand names. */
function segmenter(): (text: string | null) => string {
  const memo = new Map<string, string>();
  return (text) => {
    if (!text) return '';
    let words = memo.get(text);
    if (words === undefined) {
      words = segmentForIndex(text);
      if (memo.size < 100_000) memo.set(text, words);
    }
    return words;
  };
}

export async function upsertRecords(db: Queryable, index: IndexName, given: IndexRecord[]): Promise<void> {
  // One row per id (the last wins): a statement may not update a row twice.
  const records = [...new Map(given.map((r) => [r.id, r])).values()];
  const words = segmenter();
  for (let start = 0; start < records.length; start += BATCH) {
    const batch = records.slice(start, start + BATCH);
    if (index === 'documents') await upsertDocuments(db, batch as DocumentRecord[], words);
    else if (index === 'customers') await upsertCustomers(db, batch as CustomerRecord[], words);
    else await upsertOrders(db, batch as OrderRecord[], words);
  }
}

async function upsertDocuments(db: Queryable, records: DocumentRecord[], words: (text: string | null) => string): Promise<void> {
  // Chunks carry their words from ingestion; the title is the index's own.
  await db.query(
    `insert into search_documents (id, title_words, indexed_at)
     select u.id, to_tsvector('simple', u.words), clock_timestamp()
     from unnest($1::text[], $2::text[]) as u(id, words) join documents d on d.id = u.id
     on conflict (id) do update set title_words = excluded.title_words, indexed_at = excluded.indexed_at`,
    [records.map((r) => r.id), records.map((r) => words(r.title))],
  );
}

async function upsertCustomers(db: Queryable, records: CustomerRecord[], words: (text: string | null) => string): Promise<void> {
  await db.query(
    `insert into search_customers (id, name, region, segment, created_at, name_words, indexed_at)
     select u.id, u.name, u.region, u.segment, u.created_at, to_tsvector('simple', u.words), clock_timestamp()
     from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
       as u(id, name, region, segment, created_at, words)
     join customers c on c.id = u.id
     on conflict (id) do update set name = excluded.name, region = excluded.region, segment = excluded.segment,
       created_at = excluded.created_at, name_words = excluded.name_words, indexed_at = excluded.indexed_at`,
    [
      records.map((r) => r.id),
      records.map((r) => r.name),
      records.map((r) => r.region),
      records.map((r) => r.segment),
      records.map((r) => r.created_at),
      records.map((r) => words(r.name)),
    ],
  );
}

async function upsertOrders(db: Queryable, records: OrderRecord[], words: (text: string | null) => string): Promise<void> {
  await db.query(
    `insert into search_orders (id, customer_id, customer_name, region, segment, sku, product_name, category, quantity, unit_price,
                                amount, status, ordered_at, customer_name_words, product_name_words, indexed_at)
     select u.id, u.customer_id, u.customer_name, u.region, u.segment, u.sku, u.product_name, u.category, u.quantity, u.unit_price,
            u.amount, u.status, u.ordered_at, to_tsvector('simple', u.customer_words), to_tsvector('simple', u.product_words), clock_timestamp()
     from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[],
                 $10::numeric[], $11::numeric[], $12::text[], $13::timestamptz[], $14::text[], $15::text[])
       as u(id, customer_id, customer_name, region, segment, sku, product_name, category, quantity, unit_price, amount, status,
            ordered_at, customer_words, product_words)
     join orders o on o.id = u.id
     on conflict (id) do update set customer_id = excluded.customer_id, customer_name = excluded.customer_name,
       region = excluded.region, segment = excluded.segment, sku = excluded.sku, product_name = excluded.product_name,
       category = excluded.category, quantity = excluded.quantity, unit_price = excluded.unit_price, amount = excluded.amount,
       status = excluded.status, ordered_at = excluded.ordered_at, customer_name_words = excluded.customer_name_words,
       product_name_words = excluded.product_name_words, indexed_at = excluded.indexed_at`,
    [
      records.map((r) => r.id),
      records.map((r) => r.customer_id),
      records.map((r) => r.customer_name),
      records.map((r) => r.region),
      records.map((r) => r.segment),
      records.map((r) => r.sku),
      records.map((r) => r.product_name),
      records.map((r) => r.category),
      records.map((r) => r.quantity),
      records.map((r) => r.unit_price),
      records.map((r) => r.amount),
      records.map((r) => r.status),
      records.map((r) => r.ordered_at),
      records.map((r) => words(r.customer_name)),
      records.map((r) => words(r.product_name)),
    ],
  );
}

export async function removeRecords(db: Queryable, index: IndexName, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query(`delete from ${tables[index]} where id = any($1::text[])`, [ids]);
}

/**
 * Rewrites every record from `batches`, in place: searches keep answering (from
 * the old rows, then the new ones) throughout. Rows not written since the rebuild
 * began (records gone from the source) are deleted at the end; a record upserted
 * by a sync meanwhile is newer than the start, so it stays.
 */
export async function rebuildRecords(db: Database, index: IndexName, batches: AsyncIterable<IndexRecord[]>): Promise<{ records: number }> {
  const { rows } = await db.query<{ started: string }>(
    `select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as started`,
  );
  const started = rows[0]!.started;
  let records = 0;
  // The next batch is read while this one is written (on PostgreSQL, over two connections).
  const iterator = batches[Symbol.asyncIterator]();
  let next = iterator.next();
  for (;;) {
    const { done, value: batch } = await next;
    if (done) break;
    next = iterator.next();
    try {
      await upsertRecords(db, index, batch);
    } catch (error) {
      await next.catch(() => {}); // settled, not left dangling
      await iterator.return?.();
      throw error;
    }
    records += batch.length;
  }
  await db.query(`delete from ${tables[index]} where indexed_at < $1::timestamptz`, [started]);
  return { records };
}

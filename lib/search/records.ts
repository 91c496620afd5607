/**
 * What each search index holds, read from PostgreSQL, the source of truth. Both
 * engines index these records: the sync workflow loads the ones whose ids were
 * queued in `search_changes`, a rebuild scans them all.
 *
 * Dates leave as ISO strings in UTC and money as numbers rounded to cents, formatted
 * in SQL so PGlite and PostgreSQL give the same values. A document is a record only
 * while it is ready; an id the loader does not return is to be removed from the index.
 */
import type { Queryable } from '../db/index.ts';
import { SEARCH_LIMITS, type IndexName } from './indexes.ts';
import type { DocumentRecord, IndexRecord } from './port.ts';

/** `2025-01-02T03:04:05.678Z`, whatever the session's time zone. */
const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The select of each index; `where` is a fixed fragment chosen below, never input. */
const selects: Record<IndexName, (where: string) => string> = {
  documents: (where) =>
    `select d.id, d.tenant, d.title, d.knowledge_base, d.tags, d.doc_type, d.lang, ${iso('d.created_at')} as created_at
     from documents d where d.status = 'ready' and ${where}`,
  customers: (where) =>
    `select d.id, d.name, d.region, d.segment, ${iso('d.created_at')} as created_at
     from customers d where ${where}`,
  orders: (where) =>
    `select d.id, d.customer_id, c.name as customer_name, c.region, c.segment, d.sku, p.name as product_name, p.category,
            d.quantity, d.unit_price::float8 as unit_price, round(d.quantity * d.unit_price, 2)::float8 as amount,
            d.status, ${iso('d.ordered_at')} as ordered_at
     from orders d left join customers c on c.id = d.customer_id left join products p on p.sku = d.sku
     where ${where}`,
};

export interface RecordOptions {
  /**
   * Read the chunks' vectors (default true). The PostgreSQL engine searches the
   * chunks where they are and never reads them from a record: a rebuild for it can
   * skip the bulk of the bytes.
   */
  vectors?: boolean;
}

/** The records of `index` with these ids that exist now (documents: and are ready); order not guaranteed. */
export async function loadRecords(db: Queryable, index: IndexName, ids: readonly string[], options: RecordOptions = {}): Promise<IndexRecord[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<Record<string, unknown>>(`${selects[index]('d.id = any($1::text[])')} order by d.id`, [[...ids]]);
  return index === 'documents' ? withChunks(db, rows, options.vectors ?? true) : (rows as unknown as IndexRecord[]);
}

/** Every record of `index` in batches of `batchSize`, by id (keyset, so a long scan reads each row once). */
export async function* scanRecords(db: Queryable, index: IndexName, batchSize: number, options: RecordOptions = {}): AsyncIterable<IndexRecord[]> {
  let after: string | null = null;
  for (;;) {
    const { rows }: { rows: Record<string, unknown>[] } = await db.query<Record<string, unknown>>(
      `${selects[index]('($1::text is null or d.id > $1)')} order by d.id limit $2`,
      [after, batchSize],
    );
    if (rows.length === 0) return;
    yield index === 'documents' ? await withChunks(db, rows, options.vectors ?? true) : (rows as unknown as IndexRecord[]);
    if (rows.length < batchSize) return;
    after = rows.at(-1)!.id as string;
  }
}

/** Attaches each document's first chunks (where titles and summaries are), with their vectors. */
async function withChunks(db: Queryable, rows: Record<string, unknown>[], vectors: boolean): Promise<DocumentRecord[]> {
  if (rows.length === 0) return [];
  const { rows: chunks } = await db.query<{ document_id: string; idx: number; text: string; embedding: string | null }>(
    `select document_id, idx, text, ${vectors ? 'embedding::text' : 'null::text'} as embedding from chunks
     where document_id = any($1::text[]) and idx < $2 order by document_id, idx`,
    [rows.map((r) => r.id), SEARCH_LIMITS.maxIndexedChunks],
  );
  const byDocument = new Map<string, DocumentRecord['chunks']>();
  for (const chunk of chunks) {
    const list = byDocument.get(chunk.document_id) ?? [];
    list.push({ idx: chunk.idx, text: chunk.text, embedding: chunk.embedding ? (JSON.parse(chunk.embedding) as number[]) : null });
    byDocument.set(chunk.document_id, list);
  }
  return rows.map((r) => ({
    id: r.id as string,
    tenant: r.tenant as string,
    title: (r.title as string | null) ?? null,
    knowledge_base: r.knowledge_base as string,
    tags: (r.tags as string[] | null) ?? [],
    doc_type: r.doc_type as string,
    lang: (r.lang as string | null) ?? null,
    created_at: r.created_at as string,
    chunks: byDocument.get(r.id as string) ?? [],
  }));
}

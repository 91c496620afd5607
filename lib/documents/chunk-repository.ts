import type { Database, Queryable } from '../db/index.ts';
import { AppError } from '../errors.ts';
import { toVectorLiteral } from '../embeddings/vectors.ts';

export interface StoredChunk {
  index: number;
  text: string;
  tokenCount: number;
  start: number;
  end: number;
  heading: string | null;
  /** Space-separated words for the full-text index; without them the chunk is not yet indexed. */
  words?: string;
}

/** The document row is locked first, so a concurrent delete either wins or waits: no orphan chunks. */
async function lockDocument(tx: Queryable, documentId: string): Promise<void> {
  const { rows } = await tx.query('select id from documents where id = $1 for update', [documentId]);
  if (!rows[0]) throw new AppError('E_DOCUMENT_GONE', `document ${documentId} was deleted`, { retryable: false });
}

/**
 * Replaces all chunks of a document in one transaction, indexed for full-text search
 * where their words are given, and records their count on the document; running it
 * again gives the same rows.
 */
export async function replaceChunks(db: Database, documentId: string, chunks: readonly StoredChunk[]): Promise<void> {
  await db.transaction(async (tx) => {
    await lockDocument(tx, documentId);
    await tx.query('delete from chunks where document_id = $1', [documentId]);
    await tx.query('update documents set chunk_count = $2, updated_at = now() where id = $1', [documentId, chunks.length]);
    // Bounded statements: PGlite runs each one on the caller's thread, and heartbeats must get through between them.
    for (let start = 0; start < chunks.length; start += insertBatchSize) {
      const batch = chunks.slice(start, start + insertBatchSize);
      await tx.query(
        `insert into chunks (document_id, idx, text, token_count, start_offset, end_offset, heading, search_vector)
         select $1, c.idx, c.text, c.tokens, c.start_offset, c.end_offset, c.heading,
                case when c.words is null then null else to_tsvector('simple', c.words) end
         from unnest($2::int[], $3::text[], $4::int[], $5::int[], $6::int[], $7::text[], $8::text[])
           as c(idx, text, tokens, start_offset, end_offset, heading, words)`,
        [
          documentId,
          batch.map((c) => c.index),
          batch.map((c) => c.text),
          batch.map((c) => c.tokenCount),
          batch.map((c) => c.start),
          batch.map((c) => c.end),
          batch.map((c) => c.heading),
          batch.map((c) => c.words ?? null),
        ],
      );
    }
  });
}

/** Chunks per insert statement. */
const insertBatchSize = 200;

/** The next chunks still waiting for a vector, in order. */
export async function pendingChunks(db: Queryable, documentId: string, limit: number): Promise<{ index: number; text: string }[]> {
  const { rows } = await db.query<{ idx: number; text: string }>(
    'select idx, text from chunks where document_id = $1 and embedding is null order by idx limit $2',
    [documentId, limit],
  );
  return rows.map((r) => ({ index: r.idx, text: r.text }));
}

export async function countChunks(db: Queryable, documentId: string): Promise<{ total: number; pending: number }> {
  const { rows } = await db.query<{ total: number; pending: number }>(
    'select count(*) as total, count(*) filter (where embedding is null) as pending from chunks where document_id = $1',
    [documentId],
  );
  return { total: Number(rows[0]?.total ?? 0), pending: Number(rows[0]?.pending ?? 0) };
}

/**
 * Writes vectors onto their chunks; writing the same vector twice changes nothing.
 * One statement, no lock: it only updates rows, so a concurrent delete leaves nothing
 * behind, and chunks found missing mean the document was deleted meanwhile.
 */
export async function storeEmbeddings(
  db: Queryable,
  documentId: string,
  vectors: readonly { index: number; vector: Float32Array }[],
): Promise<void> {
  const { rows } = await db.query<{ updated: number }>(
    `with stored as (
       update chunks c set embedding = v.embedding::vector
       from unnest($2::int[], $3::text[]) as v(idx, embedding)
       where c.document_id = $1 and c.idx = v.idx
       returning 1)
     select count(*)::int as updated from stored`,
    [documentId, vectors.map((v) => v.index), vectors.map((v) => toVectorLiteral(v.vector))],
  );
  if (rows[0]!.updated < vectors.length) throw new AppError('E_DOCUMENT_GONE', `document ${documentId} was deleted`, { retryable: false });
}

/** Stores the jieba-segmented words of each chunk as its full-text index entry. */
export async function indexChunks(db: Database, documentId: string, segment: (text: string) => string): Promise<void> {
  const pageSize = 500;
  for (let after = -1; ; ) {
    const { rows } = await db.query<{ idx: number; text: string }>(
      'select idx, text from chunks where document_id = $1 and idx > $2 order by idx limit $3',
      [documentId, after, pageSize],
    );
    if (rows.length === 0) return;
    await db.transaction(async (tx) => {
      await lockDocument(tx, documentId);
      await tx.query(
        `update chunks c set search_vector = to_tsvector('simple', v.words)
         from unnest($2::int[], $3::text[]) as v(idx, words)
         where c.document_id = $1 and c.idx = v.idx`,
        [documentId, rows.map((r) => r.idx), rows.map((r) => segment(r.text))],
      );
    });
    after = rows.at(-1)!.idx;
  }
}

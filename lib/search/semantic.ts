import type { Database } from '../db/index.ts';
import { toVectorLiteral } from '../embeddings/vectors.ts';

export interface SemanticHit {
  documentId: string;
  chunkId: string;
  score: number;
  text: string;
  title: string | null;
  knowledgeBase: string;
}

export interface SemanticFilter {
  /** Only chunks of this knowledge base's documents. */
  knowledgeBase?: string;
  tenant?: string;
}

/**
 * Nearest chunks of ready documents by cosine similarity. The expression matches
 * the HNSW index built by `registerEmbeddingModel`, so the planner can use it.
 *
 * The filters (ready, tenant, knowledge base) apply after the index scan; an
 * HNSW scan alone stops after `hnsw.ef_search` candidates (40), so a small
 * knowledge base among large ones would get fewer than `k` hits. pgvector 0.8's
 * iterative scan keeps reading the index, in order, until `k` rows pass.
 */
export async function semanticSearch(db: Database, query: Float32Array, k: number, filter: SemanticFilter = {}): Promise<SemanticHit[]> {
  const dimension = query.length;
  const vectorType = `vector(${dimension})`; // a length, never client input
  type Row = { document_id: string; idx: number; text: string; title: string | null; knowledge_base: string; distance: number };
  const { rows } = await db.transaction(async (tx) => {
    await tx.query('set local hnsw.iterative_scan = strict_order');
    return tx.query<Row>(
      `select c.document_id, c.idx, c.text, d.title, d.knowledge_base, c.embedding::${vectorType} <=> $1::${vectorType} as distance
       from chunks c join documents d on d.id = c.document_id
       where d.status = 'ready' and c.embedding is not null
         and d.tenant = $3 and ($4::text is null or d.knowledge_base = $4)
       order by c.embedding::${vectorType} <=> $1::${vectorType}
       limit $2`,
      [toVectorLiteral(query), k, filter.tenant ?? 'default', filter.knowledgeBase ?? null],
    );
  });
  return rows.map((r) => ({
    documentId: r.document_id,
    chunkId: `${r.document_id}:${r.idx}`,
    score: 1 - Number(r.distance),
    text: r.text,
    title: r.title,
    knowledgeBase: r.knowledge_base,
  }));
}

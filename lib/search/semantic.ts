import type { Queryable } from '../db/index.ts';
import { toVectorLiteral } from '../documents/chunk-repository.ts';

export interface SemanticHit {
  documentId: string;
  chunkId: string;
  score: number;
  text: string;
  title: string | null;
}

/**
 * Nearest chunks of ready documents by cosine similarity. The expression matches
 * the HNSW index built by `registerEmbeddingModel`, so the planner can use it.
 */
export async function semanticSearch(db: Queryable, query: Float32Array, k: number): Promise<SemanticHit[]> {
  const dimension = query.length;
  const vectorType = `vector(${dimension})`; // a length, never client input
  const { rows } = await db.query<{ document_id: string; idx: number; text: string; title: string | null; distance: number }>(
    `select c.document_id, c.idx, c.text, d.title, c.embedding::${vectorType} <=> $1::${vectorType} as distance
     from chunks c join documents d on d.id = c.document_id
     where d.status = 'ready' and c.embedding is not null
     order by c.embedding::${vectorType} <=> $1::${vectorType}
     limit $2`,
    [toVectorLiteral(query), k],
  );
  return rows.map((r) => ({
    documentId: r.document_id,
    chunkId: `${r.document_id}:${r.idx}`,
    score: 1 - Number(r.distance),
    text: r.text,
    title: r.title,
  }));
}

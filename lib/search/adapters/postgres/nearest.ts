/**
 * The documents nearest a vector, one hit per document (its best chunk).
 *
 * Chunks are read nearest first from the HNSW index (the expression matches the
 * one `registerEmbeddingModel` builds), with pgvector's iterative scan so the
 * tenant and filters, applied after the index, still leave enough rows (see
 * lib/search/semantic.ts). Several chunks of one document may come first, so the
 * window of chunks grows until it holds `k` documents or the chunks run out.
 */
import type { Queryable } from '../../../db/index.ts';
import { toVectorLiteral } from '../../../embeddings/vectors.ts';
import type { EngineHit, NearestRequest } from '../../port.ts';
import { filterConditions } from './filters.ts';
import { documentFields } from './hits.ts';
import { CHUNK_LIMIT, layout, Params } from './sql.ts';

const MAX_K = 1000;
const MAX_WINDOW = 20_000;

export async function nearestDocuments(tx: Queryable, request: NearestRequest, dimension: number): Promise<EngineHit[]> {
  const k = Math.min(Math.max(0, Math.floor(request.k)), MAX_K);
  if (k === 0) return [];
  if (request.vector.length !== dimension) return [];
  const vectorType = `vector(${dimension})`; // the engine's dimension, a checked integer
  await tx.query(`select set_config('hnsw.iterative_scan', 'strict_order', true)`);
  for (let window = Math.max(k * 4, 40); ; window = Math.min(window * 4, MAX_WINDOW)) {
    const params = new Params();
    const vector = params.add(toVectorLiteral(request.vector));
    const where = [layout.documents.base(params, request.tenant), ...filterConditions('documents', request.filters, params)].join(' and ');
    const { rows } = await tx.query<Record<string, unknown>>(
      `with near as (
         select c.document_id, c.idx, c.text, c.embedding::${vectorType} <=> ${vector}::${vectorType} as distance
         from chunks c join (${layout.documents.from}) on d.id = c.document_id
         where ${where} and c.embedding is not null and c.idx < ${CHUNK_LIMIT}
         order by c.embedding::${vectorType} <=> ${vector}::${vectorType}
         limit ${params.add(window)}),
       best as (select distinct on (document_id) document_id, text, distance, count(*) over () as chunks from near order by document_id, distance, idx)
       select b.document_id as id, 1 - b.distance as score, b.text, b.chunks, ${documentFields}
       from best b join documents d on d.id = b.document_id
       order by b.distance, b.document_id collate "C" limit ${params.add(k)}`,
      params.values,
    );
    const enough = rows.length >= k || window >= MAX_WINDOW;
    // Fewer chunks than the window: every chunk was seen, a larger window finds nothing more.
    const exhausted = rows.length > 0 && Number(rows[0]!.chunks) < window;
    if (enough || exhausted || rows.length === 0) return rows.map(toNearestHit);
  }
}

function toNearestHit(row: Record<string, unknown>): EngineHit {
  const fields: Record<string, unknown> = { id: row.id };
  for (const [key, value] of Object.entries(row)) if (key.startsWith('f_')) fields[key.slice(2)] = value;
  fields.tags = (fields.tags as string[] | null) ?? [];
  return { id: String(row.id), score: Number(row.score), fields, snippets: typeof row.text === 'string' ? [row.text] : [] };
}

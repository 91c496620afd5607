/**
 * Query vectors through the cache: embedding a query is the slow part of a
 * semantic search (milliseconds of model time), and a query's vector depends only
 * on the model and the text, so it can be shared by every tenant and process and
 * kept long. Warming fills it for the busiest queries ahead of their searches.
 */
import { createHash } from 'node:crypto';
import type { CacheScope } from '../cache/index.ts';
import type { Embedder } from '../embeddings/port.ts';

export interface QueryEmbeddings {
  /** The query's vector, from the cache or the model. */
  embed(query: string): Promise<Float32Array>;
  /** Embeds and stores these queries' vectors unless already cached; for warming. */
  warm(queries: readonly string[]): Promise<{ warmed: number; failed: number }>;
}

export function createQueryEmbeddings(cache: CacheScope, embedder: Embedder): QueryEmbeddings {
  const vectors = cache.namespace('query-vector');
  const keyOf = (query: string) => createHash('sha256').update(`${embedder.modelId}\n${query.trim()}`).digest('base64url');
  // Stored as a plain array (JSON in Redis); the vector itself never changes, so the cold preset's long TTL fits.
  const load = (query: string) => async () => Array.from(await embedder.embedQuery(query.trim()));
  return {
    async embed(query) {
      const vector = await vectors.getOrSet(keyOf(query), load(query), { preset: 'cold' });
      return Float32Array.from(vector!);
    },
    warm: (queries) => vectors.warm(queries.map((query) => ({ key: keyOf(query), loader: load(query), options: { preset: 'cold' } }))),
  };
}

import type { Database } from '../lib/db/index.ts';
import { busiestQueries } from '../lib/search/analytics.ts';
import type { QueryEmbeddings } from '../lib/search/query-embeddings.ts';
import { withFailureMapping } from './failures.ts';

/** Keeps the cache warm for what people search most (search analytics say what that is). */
export function createCacheWarmingActivities({ db, queryEmbeddings }: { db: Database; queryEmbeddings: QueryEmbeddings }) {
  return withFailureMapping({
    /** Embeds the `limit` busiest queries into the shared cache (skipping those still fresh there). */
    async warmQueryEmbeddings({ limit }: { limit: number }): Promise<{ queries: number; warmed: number; failed: number }> {
      const busiest = await busiestQueries(db, limit);
      const queries = [...new Set(busiest.map((q) => q.query))];
      return { queries: queries.length, ...(await queryEmbeddings.warm(queries)) };
    },
  });
}

/** Search analytics: counts per tenant and query, the source of the cache's warm list. */
import type { Queryable } from '../db/index.ts';

/** Counts one search. Queries are stored as typed (trimmed); the API bounds their length. */
export async function recordSearch(db: Queryable, tenant: string, query: string): Promise<void> {
  await db.query(
    `insert into search_queries (tenant, query, searches) values ($1, $2, 1)
     on conflict (tenant, query) do update set searches = search_queries.searches + 1, last_at = now()`,
    [tenant, query.trim()],
  );
}

/** The most searched queries across tenants, busiest first. */
export async function busiestQueries(db: Queryable, limit: number): Promise<{ tenant: string; query: string; searches: number }[]> {
  const { rows } = await db.query<{ tenant: string; query: string; searches: string }>(
    'select tenant, query, searches from search_queries order by searches desc, last_at desc limit $1',
    [limit],
  );
  return rows.map((r) => ({ tenant: r.tenant, query: r.query, searches: Number(r.searches) }));
}

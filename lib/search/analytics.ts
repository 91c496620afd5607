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

/** One answered search, as the query log keeps it (`search_log`). */
export interface SearchLogEntry {
  /** The answer's `queryId`; a click names it. */
  id: string;
  tenant: string;
  index: string;
  /** As typed, trimmed; empty for a filter-only search. */
  query: string;
  filters: Record<string, unknown>;
  mode: string;
  hits: number;
  tookMs: number;
}

export async function logSearch(db: Queryable, entry: SearchLogEntry): Promise<void> {
  await db.query(
    `insert into search_log (id, tenant, index_name, query, filters, mode, hits, took_ms) values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [entry.id, entry.tenant, entry.index, entry.query.trim(), JSON.stringify(entry.filters), entry.mode, entry.hits, Math.round(entry.tookMs)],
  );
}

/**
 * Which result of a search was opened. Only the tenant's own searches can be
 * clicked; `false` when there is no such search (unknown, another tenant's, or pruned).
 */
export async function recordClick(db: Queryable, tenant: string, queryId: string, recordId: string): Promise<boolean> {
  const { rows } = await db.query(
    'update search_log set clicked_id = $3, clicked_at = now() where id = $1 and tenant = $2 returning id',
    [queryId, tenant, recordId],
  );
  return rows.length > 0;
}

export interface QueryWindow {
  /** How far back, in seconds. */
  seconds: number;
  /** Only this index's searches; every index when absent. */
  index?: string;
  limit: number;
}

export interface HotQuery {
  query: string;
  searches: number;
  /** Searches of it whose answer had no hit. */
  zeroResults: number;
  /** Searches of it where a result was opened. */
  clicks: number;
  lastAt: string;
}

/** The tenant's most frequent queries in the window, busiest first (filter-only searches are not queries). */
export async function hotQueries(db: Queryable, tenant: string, window: QueryWindow): Promise<HotQuery[]> {
  const { rows } = await db.query<{ query: string; searches: string; zero: string; clicks: string; last_at: Date | string }>(
    `select query, count(*) as searches, count(*) filter (where hits = 0) as zero, count(clicked_id) as clicks, max(created_at) as last_at
     from search_log
     where tenant = $1 and created_at > now() - $2 * interval '1 second' and query <> '' and ($3::text is null or index_name = $3)
     group by query order by count(*) desc, max(created_at) desc, query limit $4`,
    [tenant, window.seconds, window.index ?? null, window.limit],
  );
  return rows.map((r) => ({
    query: r.query,
    searches: Number(r.searches),
    zeroResults: Number(r.zero),
    clicks: Number(r.clicks),
    lastAt: new Date(r.last_at).toISOString(),
  }));
}

/** The tenant's queries in the window that found nothing, most frequent first: what the content is missing. */
export async function zeroResultQueries(db: Queryable, tenant: string, window: QueryWindow): Promise<{ query: string; searches: number; lastAt: string }[]> {
  const { rows } = await db.query<{ query: string; searches: string; last_at: Date | string }>(
    `select query, count(*) as searches, max(created_at) as last_at
     from search_log
     where tenant = $1 and created_at > now() - $2 * interval '1 second' and hits = 0 and query <> '' and ($3::text is null or index_name = $3)
     group by query order by count(*) desc, max(created_at) desc, query limit $4`,
    [tenant, window.seconds, window.index ?? null, window.limit],
  );
  return rows.map((r) => ({ query: r.query, searches: Number(r.searches), lastAt: new Date(r.last_at).toISOString() }));
}

/** Popular queries of the tenant starting with `prefix` (case-insensitive), for suggestions. */
export async function popularQueries(db: Queryable, tenant: string, index: string, prefix: string, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ query: string }>(
    `select query from search_log
     where tenant = $1 and index_name = $2 and created_at > now() - interval '30 days'
       and starts_with(lower(query), lower($3)) and query <> ''
     group by query order by count(*) desc, query limit $4`,
    [tenant, index, prefix, limit],
  );
  return rows.map((r) => r.query);
}

/** Deletes log rows older than the retention (SEARCH_LOG_RETENTION_DAYS); returns how many. */
export async function pruneLog(db: Queryable, retentionDays: number): Promise<number> {
  // Counted in SQL: a year of log is too many rows to return just to count them.
  const { rows } = await db.query<{ deleted: string }>(
    `with gone as (delete from search_log where created_at < now() - $1 * interval '1 day' returning 1) select count(*) as deleted from gone`,
    [retentionDays],
  );
  return Number(rows[0]?.deleted ?? 0);
}

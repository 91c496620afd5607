import type { Column, AnalyticsQuery, Filter, QueryResult, Row } from './types.ts';

/** One page of the rows under a group (drill-down), in the dataset's key order. */
export interface RowsRequest {
  source: string;
  filters: Filter[];
  /** Fields to return; default every field of the dataset. */
  fields?: string[];
  /** Page size, 1 … ANALYTICS_LIMITS.maxPageSize. */
  limit: number;
  /** The key of the last row of the previous page (keyset pagination), from `next`. */
  after?: string;
}

export interface RowsPage {
  columns: Column[];
  rows: Row[];
  /** Key to pass as `after` for the next page; null on the last page. */
  next: string | null;
  sql_ms: number;
}

/**
 * Aggregation pushed down into PostgreSQL (or PGlite) from the catalog. Every
 * request is checked against the catalog first (AnalyticsInputError naming the
 * field), compiled with identifiers from the catalog and values as parameters,
 * refused when EXPLAIN's cost is over the ceiling, and run under
 * statement_timeout (AnalyticsLimitError naming the limit).
 */
export interface AnalyticsEngine {
  /** Checks a query against the catalog without running it (AnalyticsInputError naming the field); reports check before they start. */
  check(query: AnalyticsQuery): void;
  query(query: AnalyticsQuery): Promise<QueryResult>;
  rows(request: RowsRequest): Promise<RowsPage>;
}

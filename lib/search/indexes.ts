/**
 * The three search indexes and their fields: the one list every engine, the query
 * parser and the API validate against. A request can only name fields listed here,
 * and how it may use each (search, filter, facet, sort) is said here too.
 */
export const INDEX_NAMES = ['documents', 'customers', 'orders'] as const;
export type IndexName = (typeof INDEX_NAMES)[number];

export type FieldType = 'text' | 'keyword' | 'keywords' | 'date' | 'integer' | 'money';

export interface FieldSpec {
  type: FieldType;
  /** Text fields: weight in ranking (BM25 boost on Elasticsearch, ts_rank weight class on PostgreSQL). */
  boost?: number;
  /** Usable in `filters` and `field:value` (keyword, keywords, date, integer, money). */
  filter?: boolean;
  /** Usable in `facets`: terms for keyword(s), stats for numbers. */
  facet?: boolean;
  sort?: boolean;
}

export interface IndexSpec {
  /** The record's id field (also a keyword filter). */
  id: string;
  /** The date field that date-histogram facets (`day`, `week`, `month`, `year`) and recency use. */
  dateField: string;
  fields: Record<string, FieldSpec>;
}

export const INDEXES: Record<IndexName, IndexSpec> = {
  documents: {
    id: 'id',
    dateField: 'created_at',
    fields: {
      title: { type: 'text', boost: 3 },
      content: { type: 'text', boost: 1 },
      knowledge_base: { type: 'keyword', filter: true, facet: true },
      tags: { type: 'keywords', filter: true, facet: true },
      doc_type: { type: 'keyword', filter: true, facet: true },
      lang: { type: 'keyword', filter: true, facet: true },
      created_at: { type: 'date', filter: true, sort: true },
    },
  },
  customers: {
    id: 'id',
    dateField: 'created_at',
    fields: {
      name: { type: 'text', boost: 3 },
      id: { type: 'keyword', filter: true, sort: true },
      region: { type: 'keyword', filter: true, facet: true },
      segment: { type: 'keyword', filter: true, facet: true },
      created_at: { type: 'date', filter: true, sort: true },
    },
  },
  orders: {
    id: 'id',
    dateField: 'ordered_at',
    fields: {
      customer_name: { type: 'text', boost: 2 },
      product_name: { type: 'text', boost: 2 },
      id: { type: 'keyword', filter: true, sort: true },
      customer_id: { type: 'keyword', filter: true },
      sku: { type: 'keyword', filter: true, facet: true },
      category: { type: 'keyword', filter: true, facet: true },
      region: { type: 'keyword', filter: true, facet: true },
      segment: { type: 'keyword', filter: true, facet: true },
      status: { type: 'keyword', filter: true, facet: true },
      quantity: { type: 'integer', filter: true, facet: true, sort: true },
      unit_price: { type: 'money', filter: true, facet: true, sort: true },
      amount: { type: 'money', filter: true, facet: true, sort: true },
      ordered_at: { type: 'date', filter: true, sort: true },
    },
  },
};

/** Date-histogram facets, requested by the interval's name. */
export const HISTOGRAM_FACETS = ['day', 'week', 'month', 'year'] as const;

/** The text fields of an index, each with its boost. */
export function textFields(index: IndexName): { field: string; boost: number }[] {
  return Object.entries(INDEXES[index].fields)
    .filter(([, spec]) => spec.type === 'text')
    .map(([field, spec]) => ({ field, boost: spec.boost ?? 1 }));
}

/** Hard limits of a search request (the API refuses more, engines rely on them). */
export const SEARCH_LIMITS = {
  /** Hits per page. */
  maxPageSize: 100,
  /** Deepest hit reachable by paging in relevance order (offset + limit). */
  maxDepth: 1000,
  /** Characters of query text. */
  maxQueryLength: 500,
  /** Clauses in a parsed query, and nesting depth of parentheses. */
  maxClauses: 64,
  maxNesting: 8,
  /** Values in one terms filter, and filters per request. */
  maxFilterValues: 100,
  maxFilters: 16,
  maxFacets: 10,
  /** Buckets of a terms facet. */
  facetSize: 20,
  /** Chunks of one document an engine indexes (its start, where titles and summaries are). */
  maxIndexedChunks: 64,
} as const;

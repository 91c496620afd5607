/**
 * The search port: one engine interface, two adapters (`adapters/postgres/`, the
 * embedded default, and `adapters/elasticsearch/`), one contract suite that both
 * pass (test/integration/search/contract.ts).
 *
 * An engine never sees the text a person typed. `lib/search/query/` parses it,
 * segments Chinese with jieba and adds fuzzy alternatives (from the shared
 * vocabulary, `search_terms`), so both engines get the same words and give the
 * same answers; the engine only translates a `Clause` into its own query.
 * Highlights are made in Node from the returned text (lib/search/query/highlight.ts),
 * the same on both engines and correct for Chinese.
 */
import type { IndexName } from './indexes.ts';

export type { IndexName } from './indexes.ts';

/** One word to match, with the alternatives fuzzy matching found for it. */
export interface WordMatch {
  /** Lower-cased, as segmented; the word itself has weight 1. */
  word: string;
  /** Fuzzy alternatives (wrong character of the same sound, an English typo), weight in (0, 1). */
  alternatives: { word: string; weight: number }[];
}

/**
 * A parsed, segmented and expanded query. `field` (absent: every text field of the
 * index, with its boost) is always a field of the index's catalog.
 */
export type Clause =
  /** Any of the words (OR), ranked by how many and how well they match. */
  | { kind: 'words'; field?: string; words: WordMatch[] }
  /** The words next to each other, in order. */
  | { kind: 'phrase'; field?: string; words: string[] }
  /** `status:paid`: an exact value of a keyword field. */
  | { kind: 'keyword'; field: string; value: string }
  | { kind: 'and'; children: Clause[] }
  | { kind: 'or'; children: Clause[] }
  | { kind: 'not'; child: Clause };

/** Filters after validation against the catalog; values already typed (dates as ISO strings, numbers as numbers). */
export type Filter =
  | { field: string; kind: 'terms'; values: (string | number)[] }
  | { field: string; kind: 'range'; gte?: string | number; gt?: string | number; lte?: string | number; lt?: string | number };

/**
 * A facet by name: `terms` on a keyword field, `histogram` over the index's date
 * field (`month`, `year`: the facet's name is the interval), `stats` on a number field.
 */
export type FacetRequest =
  | { name: string; kind: 'terms'; field: string; size: number }
  | { name: string; kind: 'histogram'; field: string; interval: 'day' | 'week' | 'month' | 'year' }
  | { name: string; kind: 'stats'; field: string };

export interface SortField {
  field: string;
  dir: 'asc' | 'desc';
}

export interface LexicalRequest {
  index: IndexName;
  /** Documents are the tenant's own; the ERP indexes belong to the default tenant and ignore it. */
  tenant: string;
  /** `null`: every record (a filter- or facet-only request). */
  clause: Clause | null;
  filters: Filter[];
  facets: FacetRequest[];
  /** Empty: by relevance (BM25 or ts_rank with field boosts, recency for documents), ties by id. */
  sort: SortField[];
  limit: number;
  /** Relevance order pages by offset (depth-bounded by the service); field sorts page by `after`. */
  offset: number;
  /** The sort values of the previous page's last hit, then its id (`search_after`). */
  after?: (string | number)[];
}

export interface NearestRequest {
  /** Only `documents` has vectors. */
  index: 'documents';
  tenant: string;
  vector: Float32Array;
  filters: Filter[];
  k: number;
}

export interface EngineHit {
  id: string;
  score: number;
  /** The record's fields (documents: title, knowledge_base, tags, doc_type, lang, created_at). */
  fields: Record<string, unknown>;
  /** Text to highlight from: for a document its best-matching chunks (at most 3), for ERP records the text fields. */
  snippets: string[];
  /** The sort values of this hit for the next page's `after` (field sorts only). */
  sortValues?: (string | number)[];
}

export interface FacetBucket {
  value: string | number;
  count: number;
}

export interface FieldStats {
  count: number;
  min: number | null;
  max: number | null;
  avg: number | null;
  /** Exact to the cent for money: a decimal string would lose nothing, but numbers are what clients chart. */
  sum: number | null;
}

export interface EngineResult {
  hits: EngineHit[];
  /** Exact number of matching records (documents: distinct documents). */
  total: number;
  facets: Record<string, FacetBucket[]>;
  stats: Record<string, FieldStats>;
}

/** What an index holds for one record; built from PostgreSQL by lib/search/records.ts. */
export type IndexRecord = DocumentRecord | CustomerRecord | OrderRecord;

export interface DocumentRecord {
  id: string;
  tenant: string;
  title: string | null;
  knowledge_base: string;
  tags: string[];
  doc_type: string;
  lang: string | null;
  created_at: string;
  /** Its chunks in order (at most `MAX_INDEXED_CHUNKS`), with their vectors when embedded. */
  chunks: { idx: number; text: string; embedding: number[] | null }[];
}

export interface CustomerRecord {
  id: string;
  name: string | null;
  region: string | null;
  segment: string | null;
  created_at: string | null;
}

export interface OrderRecord {
  id: string;
  customer_id: string | null;
  customer_name: string | null;
  region: string | null;
  segment: string | null;
  sku: string | null;
  product_name: string | null;
  category: string | null;
  quantity: number | null;
  unit_price: number | null;
  /** quantity × unit_price, computed as numeric in PostgreSQL. */
  amount: number | null;
  status: string | null;
  ordered_at: string | null;
}

export interface SearchEngine {
  readonly kind: 'postgres' | 'elasticsearch';
  /** Creates what the engine needs (templates, aliases, side tables) if missing; safe to call again. */
  ensureReady(): Promise<void>;
  /** Adds or replaces records by id. Elasticsearch: bulk, with backpressure and retries; a failed item throws. */
  upsert(index: IndexName, records: IndexRecord[]): Promise<void>;
  /** Removes records by id; an id not present is fine. */
  remove(index: IndexName, ids: string[]): Promise<void>;
  /**
   * Replaces the whole index with `batches`, while searches keep answering from the
   * old one (Elasticsearch: a new physical index, then one alias swap).
   */
  rebuild(index: IndexName, batches: AsyncIterable<IndexRecord[]>): Promise<{ records: number }>;
  /** Records matching `clause` and `filters`, ranked, with facets, stats and the exact total. */
  lexical(request: LexicalRequest): Promise<EngineResult>;
  /** The `k` documents nearest to `vector` (cosine), one hit per document (its best chunk), best first. */
  nearest(request: NearestRequest): Promise<EngineHit[]>;
  /** Cheap reachability probe; throws `SearchUnavailableError` when the engine cannot answer. */
  health(): Promise<void>;
  close(): Promise<void>;
}

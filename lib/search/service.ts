/**
 * The search service: one query API over whichever engine the platform runs.
 * It checks a request against the catalog, parses and analyses the query
 * (jieba, fuzzy alternatives), asks the engine for the lexical ranking and, for
 * documents, the vector ranking, fuses them (RRF), shapes and highlights the
 * hits, and logs the search. Engines only ever see checked fields and `Clause`s.
 *
 * Answers are not cached (each one is logged); query vectors are, through
 * `QueryEmbeddings`. Paging positions come back as `next` and are signed into
 * cursors by the API (api/cursor.ts), never trusted back unsigned.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Queryable } from '../db/index.ts';
import { DEFAULT_TENANT } from '../knowledge-bases/repository.ts';
import { logSearch, recordClick, recordSearch } from './analytics.ts';
import { SearchFieldError } from './errors.ts';
import { INDEX_NAMES, SEARCH_LIMITS, textFields, type IndexName } from './indexes.ts';
import type { EngineHit, EngineResult, FacetBucket, FieldStats, LexicalRequest, SearchEngine } from './port.ts';
import { analyzeQuery } from './query/analyze.ts';
import { clauseWords } from './query/highlight.ts';
import { parseQuery, type QueryNode } from './query/parse.ts';
import type { QueryEmbeddings } from './query-embeddings.ts';
import { SearchIndexNotFoundError, SearchQueryNotFoundError } from './service/errors.ts';
import { reciprocalRankFusion, type FusionOptions } from './service/fusion.ts';
import { documentHit, recordHit, type DocumentHitView, type RecordHitView } from './service/hits.ts';
import { checkRequest, type CheckedRequest, type SearchBody, type SearchMode } from './service/request.ts';
import { suggestions, MAX_SUGGESTIONS, type Suggestion } from './service/suggest.ts';
import type { Vocabulary } from './vocabulary.ts';

export type { SearchBody, SearchMode, FilterValue } from './service/request.ts';
export type { DocumentHitView, RecordHitView } from './service/hits.ts';
export type { Suggestion } from './service/suggest.ts';

/** Where the next page starts: an offset in relevance order, or the last hit's sort values. */
export interface PagePosition {
  /** The request's fingerprint: a position is only good for the request that made it. */
  fingerprint: string;
  offset?: number;
  after?: (string | number)[];
}

export interface SearchAnswer {
  hits: (DocumentHitView | RecordHitView)[];
  total: number;
  facets: Record<string, FacetBucket[]>;
  stats: Record<string, FieldStats>;
  /** The next page's position; `null` on the last page (or at the depth limit). */
  next: PagePosition | null;
  didYouMean: string | null;
  queryId: string;
  tookMs: number;
  mode: SearchMode;
}

export interface SearchServiceDeps {
  db: Queryable;
  engine: SearchEngine;
  vocabulary: Pick<Vocabulary, 'corrections' | 'didYouMean' | 'suggest'>;
  queryEmbeddings: Pick<QueryEmbeddings, 'embed'>;
  /** Hybrid tuning (test/fixtures/search/judgments.ts measures it); defaults in HYBRID_DEFAULTS. */
  hybrid?: FusionOptions & { window?: number };
}

export interface SearchService {
  search(tenant: string, index: IndexName, body: SearchBody, page?: PagePosition): Promise<SearchAnswer>;
  suggest(tenant: string, index: IndexName, prefix: string, limit?: number): Promise<{ suggestions: Suggestion[] }>;
  /** Records which result of search `queryId` was opened; unknown searches throw SearchQueryNotFoundError. */
  click(tenant: string, queryId: string, recordId: string): Promise<void>;
}

/**
 * `window`: candidates each ranking contributes to the fusion, at least (fusion needs more than a page to reorder).
 * The rest was measured on the judged set (test/fixtures/search, PGlite, bge-small-zh-v1.5; nDCG@10): semantic
 * alone 0.774; RRF with k=60, equal weights and a 0.45 floor 0.767; k=20, vector weight 1.5, no floor 0.789;
 * k=10, weight 1.5, no floor 0.806. A floor of 0.30-0.35 cost nothing there (related query and passage score
 * 0.5-0.7 with this model, unrelated ones 0.2-0.45) and keeps nonsense queries from "finding" the least-far
 * documents. Another model needs its own floor (SearchServiceDeps.hybrid).
 */
export const HYBRID_DEFAULTS = { window: 50, k: 10, semanticWeight: 1.5, semanticFloor: 0.35 } as const;
/** Fewer lexical matches than this and the answer carries a "did you mean". */
const FEW_MATCHES = 3;

/** The ERP is the default tenant's; to any other it does not exist. */
export function assertSearchable(tenant: string, index: string): asserts index is IndexName {
  if (!(INDEX_NAMES as readonly string[]).includes(index)) throw new SearchIndexNotFoundError(index);
  if (index !== 'documents' && tenant !== DEFAULT_TENANT) throw new SearchIndexNotFoundError(index);
}

/**
 * What to embed for the vector ranking: the query's words that are searched for
 * as text (not negated, not `status:paid`-style keyword values), in order.
 */
export function meaningText(node: QueryNode | null, index: IndexName): string {
  const text = new Set(textFields(index).map((f) => f.field));
  const parts: string[] = [];
  const walk = (n: QueryNode) => {
    if (n.kind === 'text' || n.kind === 'phrase') {
      if (!n.field || text.has(n.field)) parts.push(n.text);
    } else if (n.kind === 'and' || n.kind === 'or') n.children.forEach(walk);
  };
  if (node) walk(node);
  return parts.join(' ').trim();
}

const EMPTY: EngineResult = { hits: [], total: 0, facets: {}, stats: {} };

export function createSearchService(deps: SearchServiceDeps): SearchService {
  const { db, engine, vocabulary, queryEmbeddings } = deps;
  const fusion = { ...HYBRID_DEFAULTS, ...deps.hybrid };

  async function search(tenant: string, index: IndexName, body: SearchBody, page?: PagePosition): Promise<SearchAnswer> {
    const started = performance.now();
    assertSearchable(tenant, index);
    const request = checkRequest(index, body);
    if (page && page.fingerprint !== request.fingerprint) {
      throw new SearchFieldError('cursor', 'the cursor belongs to another search: send it with the same query, filters and sort');
    }
    const offset = page?.offset ?? 0;
    const limit = Math.min(request.limit, SEARCH_LIMITS.maxDepth - offset);
    if (offset < 0 || limit <= 0) throw new SearchFieldError('cursor', `results are reachable to depth ${SEARCH_LIMITS.maxDepth}; narrow the search`);
    const node = parseQuery(request.text, index);
    const clause = node ? await analyzeQuery(node, index, vocabulary) : null;
    const base: LexicalRequest = {
      index,
      tenant,
      clause,
      filters: request.filters,
      facets: request.facets,
      sort: request.sort,
      limit,
      offset,
      after: page?.after,
    };
    const meaning = meaningText(node, index);
    // Sorted answers and text without a word left to search rank by words only.
    const mode: SearchMode = request.sort.length > 0 || !meaning ? 'lexical' : request.mode;
    let ranked: { hit: EngineHit; score: number }[];
    let result: EngineResult;
    let lexicalTotal: number;
    if (node && !clause) {
      // Only punctuation or stop characters: nothing to match, so nothing (not everything) is found.
      [ranked, result, lexicalTotal] = [[], EMPTY, 0];
    } else if (mode === 'lexical') {
      result = await engine.lexical(base);
      ranked = result.hits.map((hit) => ({ hit, score: hit.score }));
      lexicalTotal = result.total;
    } else {
      const depth = offset + limit;
      const window = Math.min(SEARCH_LIMITS.maxDepth, Math.max(depth, fusion.window));
      const vector = await queryEmbeddings.embed(meaning);
      const near = engine.nearest({ index: 'documents', tenant, vector, filters: request.filters, k: mode === 'semantic' ? depth : window });
      if (mode === 'semantic') {
        // Every document is ranked by meaning: the total and the facets are those of all the filters admit.
        const [all, nearest] = await Promise.all([engine.lexical({ ...base, clause: null, limit: 0, offset: 0 }), near]);
        result = all;
        ranked = nearest.slice(offset, depth).map((hit) => ({ hit, score: hit.score }));
        lexicalTotal = clause ? Number.POSITIVE_INFINITY : 0; // "did you mean" is about words; semantic asks by meaning
      } else {
        const [lexical, nearest] = await Promise.all([engine.lexical({ ...base, limit: window, offset: 0 }), near]);
        const fused = reciprocalRankFusion(lexical.hits, nearest, fusion);
        // Exact when the lexical matches fit the window (the usual case); beyond it a vector hit may be counted twice.
        const meaningOnly = fused.filter((f) => !f.lexical).length;
        result = { ...lexical, total: lexical.total + meaningOnly };
        ranked = fused.slice(offset, depth);
        lexicalTotal = lexical.total;
      }
    }
    const words = clauseWords(clause);
    const hits = ranked.map(({ hit, score }) => (index === 'documents' ? documentHit(hit, score, words) : recordHit(index, hit, score, words)));
    const didYouMean = request.text && lexicalTotal < FEW_MATCHES ? await vocabulary.didYouMean(index, request.text).catch(() => null) : null;
    const next = nextPosition(request, offset, limit, result, ranked);
    const queryId = randomUUID();
    const tookMs = Math.round((performance.now() - started) * 10) / 10;
    await Promise.all([
      logSearch(db, { id: queryId, tenant, index, query: request.text, filters: body.filters ?? {}, mode, hits: result.total, tookMs }),
      // The busiest queries' vectors are kept warm (lib/search/query-embeddings.ts): count the ones that were embedded.
      mode !== 'lexical' ? recordSearch(db, tenant, meaning) : undefined,
    ]);
    return {
      hits,
      total: result.total,
      facets: result.facets,
      stats: roundStats(result.stats),
      next,
      didYouMean: didYouMean && didYouMean !== request.text ? didYouMean : null,
      queryId,
      tookMs,
      mode,
    };
  }

  return {
    search,
    async suggest(tenant, index, prefix, limit = MAX_SUGGESTIONS) {
      assertSearchable(tenant, index);
      return { suggestions: await suggestions(db, vocabulary, tenant, index, prefix, limit) };
    },
    async click(tenant, queryId, recordId) {
      if (!(await recordClick(db, tenant, queryId, recordId))) throw new SearchQueryNotFoundError(queryId);
    },
  };
}

function nextPosition(
  request: CheckedRequest,
  offset: number,
  limit: number,
  result: EngineResult,
  ranked: { hit: EngineHit }[],
): PagePosition | null {
  if (ranked.length < limit) return null;
  if (request.sort.length > 0) {
    // Field sorts page by the last hit's values (search_after): no depth limit, no offset drift.
    const after = ranked.at(-1)?.hit.sortValues;
    return after ? { fingerprint: request.fingerprint, after } : null;
  }
  const depth = offset + limit;
  return depth < Math.min(result.total, SEARCH_LIMITS.maxDepth) ? { fingerprint: request.fingerprint, offset: depth } : null;
}

/** Averages and sums of money come back as floats; clients chart numbers to the cent. */
function roundStats(stats: Record<string, FieldStats>): Record<string, FieldStats> {
  const cents = (n: number | null) => (n == null ? null : Math.round(n * 100) / 100);
  return Object.fromEntries(
    Object.entries(stats).map(([field, s]) => [field, { count: s.count, min: cents(s.min), max: cents(s.max), avg: cents(s.avg), sum: cents(s.sum) }]),
  );
}


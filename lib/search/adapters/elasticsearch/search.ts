/**
 * Lexical and nearest searches: the request bodies and how hits come back. A
 * documents hit is one document; its snippets are the best chunks the content
 * matches found (inner hits), else its first chunk.
 */
import type { Client, estypes, TransportRequestOptions } from '@elastic/elasticsearch';
import type { EngineHit, EngineResult, LexicalRequest, NearestRequest } from '../../port.ts';
import { call } from './errors.ts';
import { facetAggregations, readFacets } from './facets.ts';
import { aliasName, CHUNK_VECTOR, CHUNKS } from './mappings.ts';
import { clauseQuery, filterClauses, sortFor, withRecency, type Translation } from './query.ts';
import { fieldsOf, recordSnippets, returnedFields } from './sources.ts';

type Source = Record<string, unknown>;
type Hit = estypes.SearchHit<Source>;

const MAX_SNIPPETS = 3;

export function lexicalBody(prefix: string, request: LexicalRequest): { body: estypes.SearchRequest; translation: Translation } {
  const { index } = request;
  const translation: Translation = { innerHits: [] };
  const must = request.clause ? clauseQuery(index, request.clause, translation) : { match_all: {} };
  const query = withRecency(index, { bool: { must: [must], filter: filterClauses(index, request.tenant, request.filters) } });
  const after = request.after && request.after.length > 0 ? request.after : undefined;
  const body: estypes.SearchRequest = {
    index: aliasName(prefix, index),
    query,
    size: request.limit,
    // `after` pages by sort values; without it, by offset (bounded in depth by the service).
    from: after ? 0 : request.offset,
    sort: sortFor(index, request.sort),
    ...(after ? { search_after: after as estypes.SortResults } : {}),
    track_total_hits: true,
    track_scores: true,
    _source: { includes: [...returnedFields(index), ...(index === 'documents' ? ['lead'] : [])] },
    ...(request.facets.length > 0 ? { aggs: facetAggregations(request.facets) } : {}),
  };
  return { body, translation };
}

export async function lexical(client: Client, prefix: string, request: LexicalRequest, options: TransportRequestOptions): Promise<EngineResult> {
  const { body, translation } = lexicalBody(prefix, request);
  const response = await call(`a search of ${body.index as string}`, () => client.search<Source>(body, options));
  const total = response.hits.total;
  return {
    hits: response.hits.hits.map((hit) => ({
      ...baseHit(request.index, hit),
      snippets: request.index === 'documents' ? documentSnippets(hit, translation) : recordSnippets(request.index, hit._source),
      ...(request.sort.length > 0 && hit.sort ? { sortValues: hit.sort as (string | number)[] } : {}),
    })),
    total: typeof total === 'number' ? total : (total?.value ?? 0),
    ...readFacets(request.index, request.facets, response.aggregations as Record<string, estypes.AggregationsAggregate>),
  };
}

function baseHit(index: LexicalRequest['index'], hit: Hit): Omit<EngineHit, 'snippets'> {
  const id = typeof hit._source?.id === 'string' ? hit._source.id : hit._id!;
  return { id, score: hit._score ?? 0, fields: fieldsOf(index, hit._source) };
}

/** The chunks that matched, best first across every content clause of the query. */
function documentSnippets(hit: Hit, translation: Translation): string[] {
  const best = new Map<number, { score: number; text: string }>();
  for (const name of translation.innerHits) {
    for (const inner of hit.inner_hits?.[name]?.hits.hits ?? []) {
      const text = chunkText(inner._source);
      const offset = inner._nested?.offset ?? -1;
      if (text === undefined) continue;
      const score = inner._score ?? 0;
      const seen = best.get(offset);
      best.set(offset, { text, score: Math.max(score, seen?.score ?? score) });
    }
  }
  const texts = [...best.entries()]
    .sort(([offsetA, a], [offsetB, b]) => b.score - a.score || offsetA - offsetB)
    .slice(0, MAX_SNIPPETS)
    .map(([, chunk]) => chunk.text);
  if (texts.length > 0) return texts;
  const lead = hit._source?.lead;
  return typeof lead === 'string' && lead.length > 0 ? [lead] : [];
}

/** An inner hit's source is the chunk itself (`{ text }`); older servers nest it under the path. */
function chunkText(source: unknown): string | undefined {
  const chunk = source as { text?: unknown; [CHUNKS]?: { text?: unknown } } | undefined;
  const text = chunk?.text ?? chunk?.[CHUNKS]?.text;
  return typeof text === 'string' ? text : undefined;
}

export async function nearest(client: Client, prefix: string, request: NearestRequest, options: TransportRequestOptions): Promise<EngineHit[]> {
  if (request.k <= 0) return [];
  const k = Math.min(request.k, 1000);
  const index = aliasName(prefix, request.index);
  const response = await call(`a nearest search of ${index}`, () =>
    client.search<Source>({
      index,
      // Nested kNN ranks each document by its best chunk and returns each document once.
      knn: {
        field: CHUNK_VECTOR,
        query_vector: Array.from(request.vector),
        k,
        num_candidates: Math.min(10_000, Math.max(100, k * 10)),
        filter: filterClauses(request.index, request.tenant, request.filters),
        inner_hits: { size: 1, _source: { includes: [`${CHUNKS}.text`] } },
      },
      size: k,
      _source: { includes: returnedFields(request.index) },
    }, options),
  );
  return response.hits.hits
    .map((hit) => {
      const text = chunkText(hit.inner_hits?.[CHUNKS]?.hits.hits[0]?._source);
      // Elasticsearch scores cosine as (1 + cos) / 2; give the cosine itself, as pgvector does.
      return { ...baseHit(request.index, hit), score: 2 * (hit._score ?? 0.5) - 1, snippets: text ? [text] : [] };
    })
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The search operations of the OpenAPI document. The concrete paths (suggest,
 * clicks, analytics) come before `/v1/search/{index}`: the 405 middleware takes
 * the first path that matches, and `{index}` matches any one segment.
 */
import { INDEXES, INDEX_NAMES } from '../../lib/search/indexes.ts';
import { facetNames } from '../../lib/search/service/request.ts';
import { analyticsQuery, clickBody, hotQueriesView, searchAnswerView, searchBody, searchQuery, suggestQuery, suggestView, zeroResultsView } from '../search-schemas.ts';
import { json, jsonBody, notModified, problem, queryParameters, responses, schemaOf } from './parts.ts';

/** What each index offers, for the descriptions: a client sees the catalog without reading the code. */
const catalog = INDEX_NAMES.map((index) => {
  const fields = Object.entries(INDEXES[index].fields);
  const pick = (flag: 'filter' | 'sort') => fields.filter(([, spec]) => spec[flag]).map(([name]) => name).join(', ');
  const text = fields.filter(([, spec]) => spec.type === 'text').map(([name]) => name).join(', ');
  return `- **${index}**: searches ${text}; filters ${pick('filter')}; facets ${facetNames(index).join(', ')}; sort ${pick('sort')}.`;
}).join('\n');

const searchDescription =
  'Query syntax: words (any of them, ranked), "phrases", AND, OR, NOT or -word, field:value, field:"phrase", parentheses; ' +
  'Chinese is segmented, misspelled English and wrong Chinese characters of the same sound are matched. ' +
  '`mode` is hybrid (documents’ default: words and meaning fused by reciprocal rank), lexical or semantic; ' +
  'customers and orders are lexical only and belong to the default tenant. Filters: `{ field: value | [values] | ' +
  '{ gte, gt, lte, lt } }` (dates as 2025-01-31 or ISO date-times, UTC). Facets by name: terms on keyword fields, ' +
  'stats (count, min, max, avg, sum) on numbers, and day, week, month or year for a date histogram. Pages: at most 100 hits, ' +
  'and 1000 deep in relevance order; pass nextCursor back as `cursor` with the same search. Highlights wrap the ' +
  'query’s words in <em>…</em>; everything else in them is HTML-escaped.\n\n' +
  catalog;

const indexParameter = {
  name: 'index',
  in: 'path',
  required: true,
  description: 'documents, customers or orders',
  schema: { type: 'string', enum: [...INDEX_NAMES] },
};

const searchAnswers = {
  '200': { description: 'Hits, best first (or in the requested order), with facets, stats and the total', ...json(searchAnswerView) },
  '400': problem('Invalid parameter; a field the index lacks or cannot use so (E_SEARCH_FIELD); a query syntax error (E_QUERY_SYNTAX, with `position`)'),
  '404': problem('No such index for this tenant'),
};

const unavailable = {
  '503': {
    ...problem('The search engine cannot answer now (E_SEARCH_UNAVAILABLE); retry after Retry-After seconds'),
    headers: { 'Retry-After': { schema: { type: 'integer' } } },
  },
};

export const searchPaths = {
  '/v1/search/suggest': {
    get: {
      summary: 'Completions of a prefix: titles (documents) or names (customers, orders), popular queries, vocabulary words',
      parameters: queryParameters(suggestQuery),
      responses: responses({
        '200': { description: 'Suggestions, best first', ...json(suggestView) },
        ...notModified,
        '400': problem('Invalid parameter'),
        '404': problem('No such index for this tenant'),
      }),
    },
  },
  '/v1/search/clicks': {
    post: {
      summary: 'Record which result of a search was opened (its queryId, and the hit’s documentId or record id)',
      requestBody: jsonBody(schemaOf(clickBody, 'input')),
      responses: responses({
        '204': { description: 'Recorded' },
        '400': problem('Invalid field'),
        '404': problem('No such search of this tenant in the query log'),
        '413': problem('Body over 64 KiB'),
        '415': problem('Not UTF-8 JSON'),
      }),
    },
  },
  '/v1/search/analytics/hot': {
    get: {
      summary: 'The tenant’s most frequent queries in the window, with how often they found nothing and were clicked (admin)',
      parameters: queryParameters(analyticsQuery),
      responses: responses({ '200': { description: 'Queries, busiest first', ...json(hotQueriesView) }, ...notModified, '400': problem('Invalid parameter') }),
    },
  },
  '/v1/search/analytics/zero-results': {
    get: {
      summary: 'The tenant’s queries in the window that found nothing, most frequent first (admin)',
      parameters: queryParameters(analyticsQuery),
      responses: responses({ '200': { description: 'Queries, most frequent first', ...json(zeroResultsView) }, ...notModified, '400': problem('Invalid parameter') }),
    },
  },
  '/v1/search/{index}': {
    get: {
      summary: 'Search an index (filters as JSON, facets and sort comma-separated)',
      description: searchDescription,
      parameters: [indexParameter, ...queryParameters(searchQuery)],
      responses: responses({ ...searchAnswers, ...notModified, ...unavailable }),
    },
    post: {
      summary: 'Search an index, the request as JSON',
      description: searchDescription,
      parameters: [indexParameter],
      requestBody: jsonBody(schemaOf(searchBody, 'input')),
      responses: responses({
        ...searchAnswers,
        '413': problem('Body over 64 KiB'),
        '415': problem('Not UTF-8 JSON'),
        ...unavailable,
      }),
    },
  },
};

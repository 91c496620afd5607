/**
 * Inputs and outputs of the search API, as zod schemas: the routes validate with
 * them and the OpenAPI document (api/openapi/search.ts) is generated from them,
 * so what the document allows is what the API takes. Types only: whether a
 * field exists in the index, and what the query text means, is the service's
 * to check (a 400 naming the field, or E_QUERY_SYNTAX with the position).
 */
import { z } from 'zod';
import { INDEX_NAMES, SEARCH_LIMITS } from '../lib/search/indexes.ts';
import { SEARCH_MODES } from '../lib/search/service/request.ts';
import { MAX_PREFIX_LENGTH } from '../lib/search/service/suggest.ts';
import { CURSOR_PATTERN, MAX_CURSOR_LENGTH } from './cursor.ts';
import { TEXT_PATTERN } from './schemas.ts';

const NO_NUL = /^[^\u0000]*$/;
const noNul = 'must not contain NUL characters';

export const searchIndex = z.enum(INDEX_NAMES);

/** Query text: may be empty (a filter-only search), never NUL, at most SEARCH_LIMITS.maxQueryLength. */
const queryText = z.string().max(SEARCH_LIMITS.maxQueryLength).regex(NO_NUL, noNul);
const cursor = z.string().max(MAX_CURSOR_LENGTH).regex(new RegExp(CURSOR_PATTERN), 'not a cursor this API returned; use nextCursor as given');

const scalar = z.union([z.string().max(200).regex(NO_NUL, noNul), z.number()]);
const range = z.strictObject({ gte: scalar.optional(), gt: scalar.optional(), lte: scalar.optional(), lt: scalar.optional() });
const filterValue = z.union([scalar, z.array(scalar).min(1).max(SEARCH_LIMITS.maxFilterValues), range]);
const fieldName = z.string().regex(/^[a-z_]{1,64}$/, 'a field name of the index (lower-case letters and _)');

/** `{ field: value | [values] | { gte, gt, lte, lt } }`. */
export const searchFilters = z
  .record(fieldName, filterValue)
  .refine((f) => Object.keys(f).length <= SEARCH_LIMITS.maxFilters, `at most ${SEARCH_LIMITS.maxFilters} filters`)
  .meta({ maxProperties: SEARCH_LIMITS.maxFilters });

const sortEntry = z.string().regex(/^(-?[a-z_]{1,64}|[a-z_]{1,64}:(asc|desc))$/, 'field, field:asc, field:desc or -field');

/** POST /v1/search/:index. */
export const searchBody = z.strictObject({
  query: queryText.optional(),
  mode: z.enum(SEARCH_MODES).optional(),
  filters: searchFilters.optional(),
  facets: z.array(fieldName).max(SEARCH_LIMITS.maxFacets).optional(),
  sort: z.array(sortEntry).max(4).optional(),
  limit: z.number().int().min(1).max(SEARCH_LIMITS.maxPageSize).optional(),
  cursor: cursor.optional(),
});

/** GET /v1/search/:index: the body's fields as parameters; `filters` as JSON, `facets` and `sort` comma-separated. */
export const searchQuery = z.strictObject({
  q: queryText.optional(),
  mode: z.enum(SEARCH_MODES).optional(),
  filters: z.string().max(8192).meta({ description: 'JSON: { field: value | [values] | { gte, gt, lte, lt } }' }).optional(),
  facets: z
    .string()
    .regex(/^[a-z_]{1,64}(,[a-z_]{1,64}){0,9}$/, 'facet names, comma-separated')
    .meta({ description: 'facet names, comma-separated: fields, or day, week, month, year' })
    .optional(),
  sort: z
    .string()
    .regex(/^(-?[a-z_]{1,64}|[a-z_]{1,64}:(asc|desc))(,(-?[a-z_]{1,64}|[a-z_]{1,64}:(asc|desc))){0,3}$/, 'field, field:asc, field:desc or -field, comma-separated')
    .optional(),
  limit: z.coerce.number().int().min(1).max(SEARCH_LIMITS.maxPageSize).optional(),
  cursor: cursor.optional(),
});

export const suggestQuery = z.strictObject({
  q: z.string().max(MAX_PREFIX_LENGTH).regex(TEXT_PATTERN, 'must not be blank nor contain NUL characters'),
  index: searchIndex.default('documents'),
  limit: z.coerce.number().int().min(1).max(20).default(10),
});

export const clickBody = z.strictObject({
  queryId: z.uuid(),
  /** The opened result: a document id, or an ERP record's id. */
  documentId: z.string().min(1).max(200).regex(TEXT_PATTERN, 'must not be blank nor contain NUL characters'),
});

/** `24h`, `7d`, `30m`. */
export const WINDOW_PATTERN = /^([1-9][0-9]{0,5}m|[1-9][0-9]{0,4}h|[1-9][0-9]{0,3}d)$/;
export const analyticsQuery = z.strictObject({
  window: z.string().regex(WINDOW_PATTERN, 'a duration such as 30m, 24h or 7d').default('24h'),
  index: searchIndex.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const windowSeconds = (window: string) => Number(window.slice(0, -1)) * { m: 60, h: 3600, d: 86400 }[window.at(-1) as 'm' | 'h' | 'd'];

const documentHitView = z.object({
  documentId: z.string(),
  title: z.string().nullable(),
  knowledgeBase: z.string(),
  tags: z.array(z.string()),
  type: z.string().nullable(),
  lang: z.string().nullable(),
  createdAt: z.string().nullable(),
  score: z.number(),
  highlights: z.array(z.string()),
});
/** An ERP record: its index's fields (see the index catalog), its id, score and highlights. */
const recordHitView = z.looseObject({ id: z.string(), score: z.number(), highlights: z.array(z.string()) });

export const searchAnswerView = z.object({
  hits: z.array(z.union([documentHitView, recordHitView])),
  total: z.number().int(),
  facets: z.record(z.string(), z.array(z.object({ value: z.union([z.string(), z.number()]), count: z.number().int() }))),
  stats: z.record(
    z.string(),
    z.object({ count: z.number().int(), min: z.number().nullable(), max: z.number().nullable(), avg: z.number().nullable(), sum: z.number().nullable() }),
  ),
  nextCursor: z.string().nullable(),
  didYouMean: z.string().nullable(),
  queryId: z.string(),
  tookMs: z.number(),
  mode: z.enum(SEARCH_MODES),
});

export const suggestView = z.object({
  suggestions: z.array(z.object({ text: z.string(), kind: z.enum(['title', 'name', 'query', 'word']) })),
});

export const hotQueriesView = z.object({
  window: z.string(),
  items: z.array(z.object({ query: z.string(), searches: z.number().int(), zeroResults: z.number().int(), clicks: z.number().int(), lastAt: z.string() })),
});

export const zeroResultsView = z.object({
  window: z.string(),
  items: z.array(z.object({ query: z.string(), searches: z.number().int(), lastAt: z.string() })),
});

/** What a search cursor holds (signed by api/cursor.ts). */
export const searchCursor = z.strictObject({
  f: z.string().max(64),
  o: z.number().int().min(0).max(SEARCH_LIMITS.maxDepth).optional(),
  a: z.array(z.union([z.string().max(400), z.number()])).max(8).optional(),
});

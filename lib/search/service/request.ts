/**
 * A search request checked against the index's catalog (lib/search/indexes.ts):
 * every field it names must be there and allow the use (filter, facet, sort),
 * and every value is converted to the field's type. What passes is all an engine
 * ever sees, so the engines never meet a field or a value shape they do not know.
 */
import { createHash } from 'node:crypto';
import { SearchFieldError } from '../errors.ts';
import { HISTOGRAM_FACETS, INDEXES, SEARCH_LIMITS, type FieldSpec, type IndexName } from '../indexes.ts';
import type { FacetRequest, Filter, SortField } from '../port.ts';

export const SEARCH_MODES = ['hybrid', 'lexical', 'semantic'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export type FilterScalar = string | number;
export type FilterRange = { gte?: FilterScalar; gt?: FilterScalar; lte?: FilterScalar; lt?: FilterScalar };
/** `value`, `[values]` (any of them) or a range. */
export type FilterValue = FilterScalar | FilterScalar[] | FilterRange;

/** What a caller asks (the API's body, or a GET's parameters read into this shape). */
export interface SearchBody {
  query?: string;
  mode?: SearchMode;
  filters?: Record<string, FilterValue>;
  /** Catalog fields (terms or stats) and date-histogram intervals (`day`, `week`, `month`, `year`). */
  facets?: string[];
  /** `field`, `field:asc`, `field:desc` or `-field`; first is most significant. */
  sort?: string[];
  limit?: number;
}

export interface CheckedRequest {
  text: string;
  mode: SearchMode;
  filters: Filter[];
  facets: FacetRequest[];
  sort: SortField[];
  limit: number;
  /** Identifies the request's result order: a cursor is only good for the request that made it. */
  fingerprint: string;
}

export const DEFAULT_PAGE_SIZE = 10;
/** Longest keyword filter value: ids, names and tags are far shorter. */
export const MAX_FILTER_VALUE_LENGTH = 200;

const fieldOf = (index: IndexName, field: string, use: string): FieldSpec => {
  const fields = INDEXES[index].fields;
  if (!Object.hasOwn(fields, field)) throw new SearchFieldError(field, `${use}: the ${index} index has no field "${field}"`);
  return fields[field]!;
};

const MODE_DEFAULT: Record<IndexName, SearchMode> = { documents: 'hybrid', customers: 'lexical', orders: 'lexical' };

export function checkRequest(index: IndexName, body: SearchBody): CheckedRequest {
  const text = (body.query ?? '').trim();
  if (text.length > SEARCH_LIMITS.maxQueryLength) {
    throw new SearchFieldError('query', `the query is ${text.length} characters; at most ${SEARCH_LIMITS.maxQueryLength}`);
  }
  const mode = body.mode ?? MODE_DEFAULT[index];
  if (!SEARCH_MODES.includes(mode)) throw new SearchFieldError('mode', `mode is one of ${SEARCH_MODES.join(', ')}`);
  // Only documents carry vectors.
  if (mode !== 'lexical' && index !== 'documents') throw new SearchFieldError('mode', `the ${index} index is searched by words only: mode lexical`);
  const limit = body.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > SEARCH_LIMITS.maxPageSize) {
    throw new SearchFieldError('limit', `limit is a whole number from 1 to ${SEARCH_LIMITS.maxPageSize}`);
  }
  const filters = checkFilters(index, body.filters ?? {});
  const facets = checkFacets(index, body.facets ?? []);
  const sort = checkSort(index, body.sort ?? []);
  if (sort.length > 0 && mode === 'semantic') throw new SearchFieldError('sort', 'semantic results are ordered by meaning; sort needs mode lexical');
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ index, text, mode: sort.length > 0 ? 'sorted' : mode, filters, sort }))
    .digest('base64url')
    .slice(0, 22);
  return { text, mode, filters, facets, sort, limit, fingerprint };
}

function checkFilters(index: IndexName, filters: Record<string, FilterValue>): Filter[] {
  const entries = Object.entries(filters);
  if (entries.length > SEARCH_LIMITS.maxFilters) throw new SearchFieldError('filters', `at most ${SEARCH_LIMITS.maxFilters} filters`);
  return entries.map(([field, value]) => {
    const spec = fieldOf(index, field, 'filters');
    if (!spec.filter) throw new SearchFieldError(field, `filters: "${field}" cannot be filtered on; search it in the query instead`);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return rangeFilter(field, spec, value);
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0 || values.length > SEARCH_LIMITS.maxFilterValues) {
      throw new SearchFieldError(field, `filters.${field}: give 1 to ${SEARCH_LIMITS.maxFilterValues} values`);
    }
    return { field, kind: 'terms', values: values.map((v) => typed(field, spec, v)) };
  });
}

const RANGE_BOUNDS = ['gte', 'gt', 'lte', 'lt'] as const;

function rangeFilter(field: string, spec: FieldSpec, range: FilterRange): Filter {
  if (spec.type !== 'date' && spec.type !== 'integer' && spec.type !== 'money') {
    throw new SearchFieldError(field, `filters.${field}: a ${spec.type} field takes values, not a range`);
  }
  const unknown = Object.keys(range).filter((k) => !(RANGE_BOUNDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new SearchFieldError(field, `filters.${field}: a range has only gte, gt, lte and lt (not ${unknown[0]})`);
  const filter: Filter = { field, kind: 'range' };
  for (const bound of RANGE_BOUNDS) if (range[bound] !== undefined) filter[bound] = typed(field, spec, range[bound]);
  if (RANGE_BOUNDS.every((b) => filter[b] === undefined)) throw new SearchFieldError(field, `filters.${field}: give at least one of gte, gt, lte, lt`);
  return filter;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const MONEY = /^-?\d{1,10}(\.\d{1,2})?$/;
const INTEGER = /^-?\d{1,10}$/;

/** A filter value as its field's type: ISO instants in UTC for dates, numbers for integers and money. */
function typed(field: string, spec: FieldSpec, value: unknown): string | number {
  const wrong = (expected: string) => new SearchFieldError(field, `filters.${field}: expected ${expected}`);
  switch (spec.type) {
    case 'keyword':
    case 'keywords': {
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      if (typeof value !== 'string' || value.length > MAX_FILTER_VALUE_LENGTH || value.includes('\u0000')) {
        throw wrong(`text of at most ${MAX_FILTER_VALUE_LENGTH} characters, without NUL`);
      }
      return value;
    }
    case 'date':
      return isoInstant(value) ?? (() => { throw wrong('a date such as 2025-01-31 or 2025-01-31T08:00:00Z'); })();
    case 'integer': {
      const n = typeof value === 'string' && INTEGER.test(value) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || Math.abs(n) > 2 ** 31 - 1) throw wrong('a whole number');
      return n;
    }
    case 'money': {
      const n = typeof value === 'string' && MONEY.test(value) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n) || Math.abs(n) >= 1e10) throw wrong('an amount such as 1200.50');
      return n;
    }
    default:
      throw new SearchFieldError(field, `filters: "${field}" cannot be filtered on`);
  }
}

/** `2025-01-31` (midnight UTC) or a date-time with an optional offset (UTC without one); `null` when not a real date. */
export function isoInstant(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = ISO_DATE.exec(value.trim());
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  // Date rolls 2025-02-30 over into March: a real date reads back the same.
  if (year < 1 || calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return null;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return null;
  const text = m[4] === undefined ? `${m[1]}-${m[2]}-${m[3]}T00:00:00Z` : value.trim().replace(' ', 'T') + (m[7] ? '' : 'Z');
  const instant = new Date(text);
  return Number.isNaN(instant.getTime()) ? null : instant.toISOString();
}

function checkFacets(index: IndexName, names: string[]): FacetRequest[] {
  if (names.length > SEARCH_LIMITS.maxFacets) throw new SearchFieldError('facets', `at most ${SEARCH_LIMITS.maxFacets} facets`);
  const seen = new Set<string>();
  return names.map((name): FacetRequest => {
    if (seen.has(name)) throw new SearchFieldError(name, `facets: "${name}" is asked for twice`);
    seen.add(name);
    if ((HISTOGRAM_FACETS as readonly string[]).includes(name)) {
      return { name, kind: 'histogram', field: INDEXES[index].dateField, interval: name as (typeof HISTOGRAM_FACETS)[number] };
    }
    const spec = fieldOf(index, name, 'facets');
    if (!spec.facet) throw new SearchFieldError(name, `facets: "${name}" has no facet; facets are ${facetNames(index).join(', ')}`);
    if (spec.type === 'integer' || spec.type === 'money') return { name, kind: 'stats', field: name };
    return { name, kind: 'terms', field: name, size: SEARCH_LIMITS.facetSize };
  });
}

/** The facet names an index offers: its facet fields, then the date-histogram intervals. */
export function facetNames(index: IndexName): string[] {
  const fields = Object.entries(INDEXES[index].fields).filter(([, spec]) => spec.facet).map(([name]) => name);
  return [...fields, ...HISTOGRAM_FACETS];
}

const SORT = /^(-?)([a-z_]{1,64})(?::(asc|desc))?$/;
const MAX_SORT_FIELDS = 4;

function checkSort(index: IndexName, sort: string[]): SortField[] {
  if (sort.length > MAX_SORT_FIELDS) throw new SearchFieldError('sort', `at most ${MAX_SORT_FIELDS} sort fields`);
  const seen = new Set<string>();
  return sort.map((entry) => {
    const m = SORT.exec(entry.trim());
    if (!m || (m[1] && m[3])) throw new SearchFieldError('sort', `sort: "${entry.slice(0, 80)}" is not field, field:asc, field:desc or -field`);
    const field = m[2]!;
    if (!fieldOf(index, field, 'sort').sort) throw new SearchFieldError(field, `sort: "${field}" cannot be sorted on`);
    if (seen.has(field)) throw new SearchFieldError(field, `sort: "${field}" is given twice`);
    seen.add(field);
    return { field, dir: m[1] ? 'desc' : ((m[3] ?? 'asc') as 'asc' | 'desc') };
  });
}

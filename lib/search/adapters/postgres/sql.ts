/**
 * The pieces every statement of the PostgreSQL engine is made of. Identifiers
 * come only from the catalog (lib/search/indexes.ts) and the fixed layout below;
 * every value a request carries is a bound parameter (`Params.add`).
 */
import { SearchFieldError } from '../../errors.ts';
import { INDEXES, SEARCH_LIMITS, type FieldSpec, type IndexName } from '../../indexes.ts';

/**
 * Collects bound values; `add` answers the placeholder (`$3`) to put in the SQL.
 * PostgreSQL text cannot hold NUL: it is dropped, so such a value is searched as
 * the text around it instead of failing the statement.
 */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(withoutNul(value));
    return `$${this.values.length}`;
  }
}

function withoutNul(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\0') ? value.replaceAll('\0', '') : value;
  return Array.isArray(value) ? value.map(withoutNul) : value;
}

/**
 * Where each index's records are. Every index's record row is aliased `d`;
 * documents join their side table as `s` (title words), and search their
 * content in `chunks` (words written at ingestion).
 */
export const layout: Record<IndexName, { from: string; base: (params: Params, tenant: string) => string; idOrder: string }> = {
  documents: {
    from: 'documents d join search_documents s on s.id = d.id',
    base: (params, tenant) => `d.status = 'ready' and d.tenant = ${params.add(tenant)}`,
    // Code-point order, as Elasticsearch sorts keywords.
    idOrder: 'd.id collate "C"',
  },
  // ERP records belong to the default tenant; the service refuses any other.
  customers: { from: 'search_customers d', base: () => 'true', idOrder: 'd.id' },
  orders: { from: 'search_orders d', base: () => 'true', idOrder: 'd.id' },
};

/** Chunks past these are not indexed (as on Elasticsearch): a document is found by its start. */
export const CHUNK_LIMIT = SEARCH_LIMITS.maxIndexedChunks;

/** The catalog's spec of `field` (the id is a keyword); unknown → SearchFieldError. */
export function specOf(index: IndexName, field: string): FieldSpec {
  if (field === INDEXES[index].id) return { type: 'keyword', filter: true, sort: true };
  const spec = Object.hasOwn(INDEXES[index].fields, field) ? INDEXES[index].fields[field] : undefined;
  if (!spec) throw new SearchFieldError(field, `${index} has no field ${field}`);
  return spec;
}

/** The column of a catalog field: `d.<field>` (a checked catalog name, never input). */
export function column(index: IndexName, field: string): string {
  specOf(index, field);
  return `d.${field}`;
}

/** The tsvector of a text field other than documents' content. */
export function wordsColumn(index: IndexName, field: string): string {
  specOf(index, field);
  return index === 'documents' ? `s.${field}_words` : `d.${field}_words`;
}

export const isContent = (index: IndexName, field: string) => index === 'documents' && field === 'content';

/** `2025-01-02T03:04:05.678Z` whatever the session's time zone. */
export const isoOf = (sql: string) => `to_char(${sql} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** A date value as an unambiguous instant (no zone means UTC, as on Elasticsearch); null if it is not a date. */
export function instant(value: string | number): string | null {
  if (typeof value !== 'string') return null;
  const text = DATE_ONLY.test(value) ? `${value}T00:00:00Z` : DATE_TIME.test(value) ? (/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`) : null;
  if (text === null || Number.isNaN(Date.parse(text))) return null;
  return new Date(Date.parse(text)).toISOString();
}

/** A number a money or integer field can hold; null if it is not one. */
export function numeric(value: string | number, type: 'integer' | 'money'): number | null {
  const n = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n) || Math.abs(n) > 1e12) return null;
  if (type === 'integer' && !Number.isInteger(n)) return null;
  return n;
}

/** A typed value for a bound parameter of `field`, or SearchFieldError naming it. */
export function typedValue(index: IndexName, field: string, value: string | number): { value: string | number; cast: string } {
  const spec = specOf(index, field);
  if (spec.type === 'date') {
    const at = instant(value);
    if (at === null) throw new SearchFieldError(field, `${field} takes dates (2025-01-31 or an ISO date-time)`);
    return { value: at, cast: 'timestamptz' };
  }
  if (spec.type === 'integer' || spec.type === 'money') {
    const n = numeric(value, spec.type);
    if (n === null) throw new SearchFieldError(field, `${field} takes ${spec.type === 'integer' ? 'whole numbers' : 'amounts'}`);
    // bigint for integers: an int4 column compared with int8 still uses its index; with numeric it would not.
    return { value: n, cast: spec.type === 'integer' ? 'bigint' : 'numeric' };
  }
  return { value: String(value), cast: 'text' };
}

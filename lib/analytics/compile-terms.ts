/**
 * The pieces a compiled query is made of: bound parameters, the fields and
 * grains a request names (resolved in the catalog), their aggregates and how
 * each column is printed so that both engines hand back the same text.
 * Every SQL fragment here is ours or the catalog's; input only ever becomes `$n`.
 */
import { fieldOf, isGrain, type Dataset } from './catalog.ts';
import { AnalyticsInputError } from './errors.ts';
import type { Aggregation, ColumnType, TimeGrain } from './types.ts';

/** Values bound to `$1 … $n`, in order; the time zone is bound once, when first needed. */
export class Params {
  readonly values: unknown[] = [];
  private zone?: string;
  constructor(private readonly timeZone: string) {}

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** `$n` of the query's time zone (an IANA name), in which grains and whole days are cut. */
  tz(): string {
    this.zone ??= this.add(this.timeZone);
    return this.zone;
  }
}

/** A field or a grain of the dataset, as a request names it. */
export interface Term {
  name: string;
  type: ColumnType;
  /** Trusted SQL; a grain's refers to the time zone parameter. */
  sql: string;
  joins: readonly string[];
  dimension: boolean;
  grain?: TimeGrain;
  aggregations: readonly Aggregation[];
}

/**
 * A grain over the dataset's time field, cut in the query's time zone: periods are
 * the date of their first day (weeks start on Monday, as ISO's do); weekday is ISO's 1 … 7.
 */
function grainTerm(dataset: Dataset, grain: TimeGrain, params: Params): Term {
  const time = fieldOf(dataset, dataset.timeField!)!;
  const local = `(${time.sql} at time zone ${params.tz()})`;
  const sql = grain === 'weekday' ? `extract(isodow from ${local})::int` : `date_trunc('${grain}', ${local})::date`;
  return { name: grain, type: grain === 'weekday' ? 'integer' : 'date', sql, joins: time.joins, dimension: true, grain, aggregations: [] };
}

/** The field or grain `name` of the dataset, or a 400 naming `path`. */
export function termOf(dataset: Dataset, name: unknown, path: string, params: Params): Term {
  if (typeof name !== 'string') throw new AnalyticsInputError(path, 'a field name');
  if (isGrain(dataset, name)) return grainTerm(dataset, name, params);
  const field = fieldOf(dataset, name);
  if (!field) throw new AnalyticsInputError(path, `${dataset.name} has no field "${name.slice(0, 64)}" (see GET /v1/analytics/datasets)`);
  return { name: field.name, type: field.type, sql: field.sql, joins: field.joins, dimension: field.dimension, aggregations: field.aggregations };
}

const PERCENTILES: Partial<Record<Aggregation, string>> = { p50: '0.5', p90: '0.9', p95: '0.95', p99: '0.99' };

/** What an aggregation of a field yields, in SQL and as a column type. */
export function aggregateOf(agg: Aggregation, term: Term): { sql: string; type: ColumnType } {
  const x = term.sql;
  // Money stays numeric and is rounded to the cent in the database; other averages keep 6 decimals.
  const rounded = (sql: string, type: ColumnType) => (type === 'money' ? `round(${sql}, 2)` : `round(${sql}, 6)`);
  switch (agg) {
    case 'count':
      return { sql: `count(${x})`, type: 'integer' };
    case 'count_distinct':
      return { sql: `count(distinct ${x})`, type: 'integer' };
    case 'sum':
      return { sql: term.type === 'money' ? `round(sum(${x}), 2)` : `sum(${x})`, type: term.type };
    case 'avg':
      return { sql: rounded(`avg(${x})`, term.type), type: term.type === 'money' ? 'money' : 'number' };
    case 'min':
    case 'max':
      return { sql: `${agg}(${x})`, type: term.type };
    default: {
      // percentile_cont interpolates in double precision (PostgreSQL has no numeric one); rounded back to numeric.
      const type = term.type === 'money' ? 'money' : 'number';
      return { sql: rounded(`(percentile_cont(${PERCENTILES[agg]}) within group (order by ${x}))::numeric`, type), type };
    }
  }
}

/** SQL that prints a value of `type` as the text the engine decodes (same on PGlite and PostgreSQL). */
export function rendered(sql: string, type: ColumnType): string {
  switch (type) {
    case 'integer':
    case 'number':
    case 'money':
      return `(${sql})::text`;
    case 'date':
      return `to_char(${sql}, 'YYYY-MM-DD')`;
    case 'timestamp':
      return `to_char(${sql} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    case 'string':
    case 'boolean':
      return sql;
  }
}

/** The JSON value of a printed column. Integers past 2^53 would lose digits: refused rather than rounded. */
export function decoded(value: unknown, type: ColumnType): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'integer': {
      const n = Number(value);
      if (!Number.isSafeInteger(n)) throw new Error(`an integer beyond 2^53: ${String(value)}`);
      return n;
    }
    case 'number':
    case 'money':
      return Number(value);
    case 'boolean':
      return Boolean(value);
    default:
      return String(value);
  }
}

/** Join clauses the terms need, in the dataset's order (each once). */
export function joinsFor(dataset: Dataset, terms: readonly Term[]): string {
  const needed = new Set(terms.flatMap((t) => t.joins));
  return Object.entries(dataset.joins)
    .filter(([name]) => needed.has(name))
    .map(([, clause]) => ` ${clause}`)
    .join('');
}

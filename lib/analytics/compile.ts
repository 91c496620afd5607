/**
 * A query of the analytics language to one SQL statement. Checked against the
 * catalog as it goes (AnalyticsInputError naming the request path). The SQL
 * holds only catalog fragments and our own words: result columns are named
 * c0 … cN in SQL and renamed in JS, and every value is a `$n` parameter.
 *
 * Shape: the inner query groups and aggregates over raw values; the outer one
 * sorts on those raw values (numbers as numbers, dates as dates) and prints
 * each column as text that both engines give back alike.
 */
import { datasetOf, type Dataset } from './catalog.ts';
import { compileFilters } from './compile-filters.ts';
import { aggregateOf, joinsFor, Params, rendered, termOf, type Term } from './compile-terms.ts';
import { AnalyticsInputError } from './errors.ts';
import type { RowsRequest } from './port.ts';
import { AGGREGATIONS, ANALYTICS_LIMITS, type AnalyticsQuery, type Column } from './types.ts';

export interface CompiledQuery {
  sql: string;
  params: unknown[];
  /** Column i is `c{i}` in the SQL's output. */
  columns: Column[];
  /** Rows asked for; the SQL fetches one more to know whether there are more. */
  limit: number;
}

export interface CompiledRows extends CompiledQuery {
  /** The key column's SQL name in the output (`k`), for the next page. */
  keyColumn: 'k';
}

export function sourceOf(source: unknown): Dataset {
  const dataset = typeof source === 'string' ? datasetOf(source) : undefined;
  if (!dataset) throw new AnalyticsInputError('source', 'not a dataset (see GET /v1/analytics/datasets)');
  return dataset;
}

function listOf<T>(value: readonly T[] | undefined, path: string, max: number): readonly T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new AnalyticsInputError(path, 'a list');
  if (value.length > max) throw new AnalyticsInputError(path, `at most ${max}`);
  return value;
}

function checkLimit(limit: unknown, path: string, max: number): number {
  if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > max) throw new AnalyticsInputError(path, `an integer from 1 to ${max}`);
  return limit as number;
}

/** The query's SQL, parameters and columns; throws AnalyticsInputError on anything the catalog does not allow. */
export function compileQuery(query: AnalyticsQuery, timeZone: string): CompiledQuery {
  const dataset = sourceOf(query.source);
  const params = new Params(timeZone);
  const names = new Map<string, string>(); // column name → where it was named, for duplicates
  const claim = (name: string, path: string) => {
    if (names.has(name)) throw new AnalyticsInputError(path, `"${name}" is already a column (${names.get(name)}): name it with "as"`);
    names.set(name, path);
  };

  const dimensions = listOf(query.dimensions, 'dimensions', ANALYTICS_LIMITS.maxDimensions).map((name, i) => {
    const term = termOf(dataset, name, `dimensions.${i}`, params);
    if (!term.dimension) throw new AnalyticsInputError(`dimensions.${i}`, `${term.name} cannot be grouped by; use a measure or a grain (day, month …)`);
    claim(term.name, `dimensions.${i}`);
    return term;
  });

  const measures = listOf(query.measures, 'measures', ANALYTICS_LIMITS.maxMeasures);
  if (measures.length === 0) throw new AnalyticsInputError('measures', 'ask for at least one measure');
  const aggregates = measures.map((m, i) => {
    const term = termOf(dataset, m?.field, `measures.${i}.field`, params);
    if (!(AGGREGATIONS as readonly string[]).includes(m.agg)) throw new AnalyticsInputError(`measures.${i}.agg`, `one of ${AGGREGATIONS.join(', ')}`);
    if (!term.aggregations.includes(m.agg)) {
      const allowed = term.aggregations.length > 0 ? `: ${term.aggregations.join(', ')}` : ' none';
      throw new AnalyticsInputError(`measures.${i}.agg`, `${term.name} (${term.type}) takes${allowed}`);
    }
    if (m.as !== undefined && (typeof m.as !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(m.as))) {
      throw new AnalyticsInputError(`measures.${i}.as`, 'letters, digits and _, starting with a letter or _ (at most 63)');
    }
    const name = m.as ?? `${m.agg}_${term.name}`;
    claim(name, m.as !== undefined ? `measures.${i}.as` : `measures.${i}`);
    return { name, term, ...aggregateOf(m.agg, term) };
  });

  const filters = compileFilters(dataset, query.filters ?? [], params);
  const limit = checkLimit(query.limit ?? ANALYTICS_LIMITS.defaultLimit, 'limit', ANALYTICS_LIMITS.maxLimit);

  // Inner columns: d{i} for dimensions, m{i} for measures; sorting refers to them by result name.
  const inner = new Map<string, string>([...dimensions.map((d, i) => [d.name, `g.d${i}`] as const), ...aggregates.map((a, i) => [a.name, `g.m${i}`] as const)]);
  const order: string[] = [];
  const sorted = new Set<string>();
  listOf(query.sort, 'sort', ANALYTICS_LIMITS.maxSort).forEach((key, i) => {
    const column = typeof key?.field === 'string' ? inner.get(key.field) : undefined;
    if (!column) throw new AnalyticsInputError(`sort.${i}.field`, 'a dimension or a measure column of this query');
    if (key.dir !== undefined && key.dir !== 'asc' && key.dir !== 'desc') throw new AnalyticsInputError(`sort.${i}.dir`, 'asc or desc');
    order.push(`${column} ${key.dir === 'desc' ? 'desc' : 'asc'} nulls last`);
    sorted.add(key.field);
  });
  // Then every dimension ascending: equal keys come back in the same order every time.
  dimensions.forEach((d, i) => sorted.has(d.name) || order.push(`g.d${i} asc nulls last`));

  const select = [...dimensions.map((d, i) => `${d.sql} as d${i}`), ...aggregates.map((a, i) => `${a.sql} as m${i}`)];
  const terms: Term[] = [...dimensions, ...aggregates.map((a) => a.term), ...filters.terms];
  const groupBy = dimensions.length > 0 ? ` group by ${dimensions.map((_, i) => i + 1).join(', ')}` : '';
  const innerSql = `select ${select.join(', ')} from ${dataset.from}${joinsFor(dataset, terms)} where ${filters.where}${groupBy}`;
  const outputs = [...dimensions.map((d, i) => rendered(`g.d${i}`, d.type)), ...aggregates.map((a, i) => rendered(`g.m${i}`, a.type))];
  const columns: Column[] = [
    ...dimensions.map((d) => ({ name: d.name, type: d.type, role: 'dimension' as const })),
    ...aggregates.map((a) => ({ name: a.name, type: a.type, role: 'measure' as const })),
  ];
  const orderBy = order.length > 0 ? ` order by ${order.join(', ')}` : '';
  // One row more than asked: its presence says the answer is truncated.
  const sql = `select ${outputs.map((o, i) => `${o} as c${i}`).join(', ')} from (${innerSql}) g${orderBy} limit ${params.add(limit + 1)}`;
  return { sql, params: params.values, columns, limit };
}

/** A page of a dataset's rows under filters, in key order after `after` (drill-down). */
export function compileRows(request: RowsRequest, timeZone: string): CompiledRows {
  const dataset = sourceOf(request.source);
  const params = new Params(timeZone);
  const fields = (request.fields ?? dataset.fields.map((f) => f.name)).map((name, i) => termOf(dataset, name, `fields.${i}`, params));
  listOf(request.fields, 'fields', dataset.fields.length);
  const key = termOf(dataset, dataset.key, 'source', params);
  const filters = compileFilters(dataset, request.filters ?? [], params);
  const limit = checkLimit(request.limit, 'limit', ANALYTICS_LIMITS.maxPageSize);
  let where = filters.where;
  if (request.after !== undefined) {
    if (typeof request.after !== 'string' || request.after.length > ANALYTICS_LIMITS.maxValueLength) throw new AnalyticsInputError('after', 'the `next` of the previous page');
    where = `(${where}) and ${key.sql} > ${params.add(request.after)}::text`;
  }
  const outputs = fields.map((f, i) => `${rendered(f.sql, f.type)} as c${i}`);
  const from = `${dataset.from}${joinsFor(dataset, [...fields, key, ...filters.terms])}`;
  const sql = `select ${[...outputs, `${key.sql} as k`].join(', ')} from ${from} where ${where} order by ${key.sql} limit ${params.add(limit + 1)}`;
  const columns = fields.map((f) => ({ name: f.name, type: f.type, role: 'dimension' as const }));
  return { sql, params: params.values, columns, limit, keyColumn: 'k' };
}

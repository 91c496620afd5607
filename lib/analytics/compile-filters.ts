/**
 * Filters to a WHERE clause. Each is checked against its field's type (the
 * operator, then the value's shape and type) and compiled with the value bound.
 *
 * NULLs, on purpose:
 * - `eq null` is `is null`, `ne null` is `is not null`;
 * - `ne v` is `is distinct from v`: rows where the field is NULL are kept (they
 *   are not v), unlike SQL's `<>`, which would drop them silently;
 * - `not_in [..]` likewise keeps NULL rows, unless the list itself holds null;
 * - `in []` matches nothing and `not_in []` everything (never "no filter").
 * Timestamps: a date `YYYY-MM-DD` is the whole day in the query's time zone, so
 * `between ["2025-01-01", "2025-12-31"]` runs to the end of 31 December.
 */
import type { Dataset } from './catalog.ts';
import { termOf, type Params, type Term } from './compile-terms.ts';
import { AnalyticsInputError } from './errors.ts';
import { ANALYTICS_LIMITS, FILTER_OPS, type Filter, type FilterOp, type Scalar } from './types.ts';
import { castOf, likePattern, scalarParam, timeValue, type TimeValue } from './values.ts';

const ORDERED = new Set(['integer', 'number', 'money', 'timestamp', 'date']);

export interface CompiledFilters {
  where: string;
  terms: Term[];
}

function checkOp(term: Term, op: FilterOp, path: string): void {
  if (!(FILTER_OPS as readonly string[]).includes(op)) throw new AnalyticsInputError(`${path}.op`, `one of ${FILTER_OPS.join(', ')}`);
  if (op === 'contains' && term.type !== 'string') throw new AnalyticsInputError(`${path}.op`, `contains applies to text fields; ${term.name} is ${term.type}`);
  if (['gt', 'gte', 'lt', 'lte', 'between'].includes(op) && !ORDERED.has(term.type)) {
    throw new AnalyticsInputError(`${path}.op`, `${op} applies to numbers, money and times; ${term.name} is ${term.type}`);
  }
}

/** Compiles one value comparison of a term; `at` names the value in errors. */
class FilterCompiler {
  constructor(private readonly term: Term, private readonly params: Params) {}

  private time(v: TimeValue, edge: 'start' | 'end'): string {
    if (v.kind === 'instant') return v.zoned ? `${this.params.add(v.text)}::timestamptz` : `(${this.params.add(v.text)}::timestamp at time zone ${this.params.tz()})`;
    return `(${this.params.add(edge === 'start' ? v.day : v.nextDay)}::timestamp at time zone ${this.params.tz()})`;
  }

  /** The value as SQL: a cast parameter for everything but timestamps. */
  private value(value: Scalar, at: string): string {
    if (this.term.grain === 'weekday' && (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 7)) {
      throw new AnalyticsInputError(at, 'a weekday, 1 (Monday) … 7 (Sunday)');
    }
    return `${this.params.add(scalarParam(at, this.term.type, value))}${castOf(this.term.type)}`;
  }

  /** `x = v`; a whole day for a date on a timestamp field. */
  equals(value: Scalar, at: string): string {
    const x = this.term.sql;
    if (this.term.type !== 'timestamp') return `${x} = ${this.value(value, at)}`;
    const v = timeValue(at, value);
    return v.kind === 'day' ? `(${x} >= ${this.time(v, 'start')} and ${x} < ${this.time(v, 'end')})` : `${x} = ${this.time(v, 'start')}`;
  }

  /** Not v, NULL rows kept (see the top of the file). */
  notEquals(value: Scalar, at: string): string {
    const x = this.term.sql;
    return this.term.type === 'timestamp' ? `(${x} is null or not ${this.equals(value, at)})` : `${x} is distinct from ${this.value(value, at)}`;
  }

  /** Case-insensitive substring; `%`, `_` and `\` in the value match themselves. */
  contains(value: Scalar, at: string): string {
    const text = scalarParam(at, 'string', value) as string;
    return `${this.term.sql} ilike ${this.params.add(likePattern(text))} escape '\\'`;
  }

  /** `x op v` for the ordered operators; whole days stretch the bound to the day's end or start. */
  compare(op: 'gt' | 'gte' | 'lt' | 'lte', value: Scalar, at: string): string {
    const x = this.term.sql;
    const sign = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[op];
    if (this.term.type !== 'timestamp') return `${x} ${sign} ${this.value(value, at)}`;
    const v = timeValue(at, value);
    if (v.kind === 'instant') return `${x} ${sign} ${this.time(v, 'start')}`;
    if (op === 'gt' || op === 'lte') return `${x} ${op === 'gt' ? '>=' : '<'} ${this.time(v, 'end')}`;
    return `${x} ${sign} ${this.time(v, 'start')}`;
  }

  between(value: Scalar[], at: string): string {
    const [low, high] = value as [Scalar, Scalar];
    if (this.term.type === 'timestamp') {
      const lo = timeValue(`${at}.0`, low);
      const hi = timeValue(`${at}.1`, high);
      const key = (v: TimeValue) => (v.kind === 'day' ? v.day : v.sortKey);
      if (key(lo) > key(hi)) throw new AnalyticsInputError(at, 'the lower bound is after the upper one');
    } else if (typeof low === 'number' && typeof high === 'number' && low > high) {
      throw new AnalyticsInputError(at, 'the lower bound is above the upper one');
    } else if (typeof low === 'string' && typeof high === 'string' && low > high) {
      throw new AnalyticsInputError(at, 'the lower bound is after the upper one');
    }
    return `(${this.compare('gte', low, `${at}.0`)} and ${this.compare('lte', high, `${at}.1`)})`;
  }

  /** `x in (…)`, with null in the list meaning "or x is null"; false when the list is empty. */
  anyOf(values: Scalar[], at: string): string {
    const present = values.map((v, i) => [v, `${at}.${i}`] as const).filter(([v]) => v !== null);
    const parts: string[] = [];
    if (present.length > 0) {
      parts.push(
        this.term.type === 'timestamp'
          ? present.map(([v, path]) => this.equals(v, path)).join(' or ')
          : `${this.term.sql} in (${present.map(([v, path]) => this.value(v, path)).join(', ')})`,
      );
    }
    if (present.length < values.length) parts.push(`${this.term.sql} is null`);
    return parts.length === 0 ? 'false' : `(${parts.join(' or ')})`;
  }
}

function compileOne(filter: Filter, term: Term, c: FilterCompiler, at: string): string {
  const { op, value } = filter;
  const x = term.sql;
  const list = op === 'in' || op === 'not_in' || op === 'between';
  if (list !== Array.isArray(value)) throw new AnalyticsInputError(at, list ? `${op} takes a list` : `${op} takes one value, not a list`);
  if (Array.isArray(value)) {
    if (op === 'between' && (value.length !== 2 || value.includes(null))) throw new AnalyticsInputError(at, 'between takes [low, high]');
    if (value.length > ANALYTICS_LIMITS.maxInValues) throw new AnalyticsInputError(at, `at most ${ANALYTICS_LIMITS.maxInValues} values`);
    if (op === 'between') return c.between(value, at);
    const any = c.anyOf(value, at);
    if (op === 'in') return any;
    if (value.length === 0) return 'true';
    return value.includes(null) ? `not ${any}` : `(${x} is null or not ${any})`;
  }
  if (value === null) {
    if (op === 'eq') return `${x} is null`;
    if (op === 'ne') return `${x} is not null`;
    throw new AnalyticsInputError(at, `${op} needs a value, not null`);
  }
  switch (op) {
    case 'eq':
      return c.equals(value, at);
    case 'ne':
      return c.notEquals(value, at);
    case 'contains':
      return c.contains(value, at);
    default:
      return c.compare(op as 'gt' | 'gte' | 'lt' | 'lte', value, at);
  }
}

/** The WHERE clause of the filters (`true` when there are none) and the terms it uses (for joins). */
export function compileFilters(dataset: Dataset, filters: readonly Filter[], params: Params): CompiledFilters {
  if (!Array.isArray(filters)) throw new AnalyticsInputError('filters', 'a list of filters');
  if (filters.length > ANALYTICS_LIMITS.maxFilters) throw new AnalyticsInputError('filters', `at most ${ANALYTICS_LIMITS.maxFilters} filters`);
  const terms: Term[] = [];
  const parts = filters.map((filter, i) => {
    const path = `filters.${i}`;
    const term = termOf(dataset, filter?.field, `${path}.field`, params);
    checkOp(term, filter.op, path);
    terms.push(term);
    return compileOne(filter, term, new FilterCompiler(term, params), `${path}.value`);
  });
  return { where: parts.length === 0 ? 'true' : parts.map((p) => `(${p})`).join(' and '), terms };
}

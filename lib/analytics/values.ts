/**
 * Filter values as the catalog's types want them: checked here (AnalyticsInputError
 * naming the value's path) and turned into the text a bound parameter carries, so
 * both engines cast it the same way (`$n::numeric` is exact where a double is not).
 */
import { AnalyticsInputError } from './errors.ts';
import { ANALYTICS_LIMITS, type ColumnType, type Scalar } from './types.ts';

/** Years a time filter may name: outside them a range is a typo, not a question. */
const FIRST_YEAR = 1900;
const LAST_YEAR = 2200;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** A time filter's value: a whole day (`YYYY-MM-DD`, in the query's time zone) or an instant. */
export type TimeValue =
  | { kind: 'day'; day: string; nextDay: string }
  | { kind: 'instant'; text: string; zoned: boolean; sortKey: string };

/** Whether y-m-d is a calendar date (no 2025-02-30) within the years we accept. */
function calendarDay(field: string, y: number, m: number, d: number): Date {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    throw new AnalyticsInputError(field, 'not a calendar date');
  }
  if (y < FIRST_YEAR || y > LAST_YEAR) throw new AnalyticsInputError(field, `a year between ${FIRST_YEAR} and ${LAST_YEAR}`);
  return date;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

export function timeValue(field: string, value: Scalar): TimeValue {
  if (typeof value !== 'string') throw new AnalyticsInputError(field, 'a date YYYY-MM-DD or an ISO date-time');
  const day = DATE.exec(value);
  if (day) {
    const date = calendarDay(field, Number(day[1]), Number(day[2]), Number(day[3]));
    return { kind: 'day', day: value, nextDay: isoDay(new Date(date.getTime() + 86_400_000)) };
  }
  const at = DATE_TIME.exec(value);
  if (!at) throw new AnalyticsInputError(field, 'a date YYYY-MM-DD or an ISO date-time (2025-01-31T08:00:00Z)');
  calendarDay(field, Number(at[1]), Number(at[2]), Number(at[3]));
  if (Number(at[4]) > 23 || Number(at[5]) > 59 || Number(at[6] ?? 0) > 59) throw new AnalyticsInputError(field, 'not a time of day');
  // Ordering of bounds is checked on the text without its offset: close enough to catch a reversed range.
  return { kind: 'instant', text: value, zoned: at[7] !== undefined, sortKey: value.slice(0, 19).replace(' ', 'T') };
}

/** A calendar date for a `date` field or a period grain (day … year). */
export function dateValue(field: string, value: Scalar): string {
  const day = typeof value === 'string' ? DATE.exec(value) : null;
  if (!day) throw new AnalyticsInputError(field, 'a date YYYY-MM-DD');
  calendarDay(field, Number(day[1]), Number(day[2]), Number(day[3]));
  return value as string;
}

/**
 * The parameter text of a scalar for a field of `type` (not a timestamp: those
 * go through timeValue). Numbers travel as their shortest decimal text.
 */
export function scalarParam(field: string, type: ColumnType, value: Scalar): string | boolean {
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw new AnalyticsInputError(field, 'a string');
      if (value.length > ANALYTICS_LIMITS.maxValueLength) throw new AnalyticsInputError(field, `at most ${ANALYTICS_LIMITS.maxValueLength} characters`);
      if (value.includes('\u0000')) throw new AnalyticsInputError(field, 'must not contain NUL characters');
      return value;
    case 'integer':
    case 'number':
    case 'money':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new AnalyticsInputError(field, 'a number');
      if (Math.abs(value) > 1e15) throw new AnalyticsInputError(field, 'a number of at most 1e15');
      return String(value);
    case 'boolean':
      if (typeof value !== 'boolean') throw new AnalyticsInputError(field, 'true or false');
      return value;
    case 'date':
      return dateValue(field, value);
    case 'timestamp':
      throw new Error('timestamps are bound through timeValue');
  }
}

/** The SQL cast of a parameter for a field of `type` (our constants, never input). */
export function castOf(type: ColumnType): string {
  switch (type) {
    case 'integer':
    case 'number':
    case 'money':
      return '::numeric';
    case 'boolean':
      return '::boolean';
    case 'date':
      return '::date';
    case 'timestamp':
      return '::timestamptz';
    case 'string':
      return '::text';
  }
}

/** `contains`: a case-insensitive substring, the pattern's own wildcards taken literally. */
export function likePattern(value: string): string {
  return `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * A time series from the engine: one measure by one grain over a date range,
 * one value per period with none missing, which is what the forecasting and
 * anomaly arithmetic needs. Aggregation stays in the database (engine.query
 * with the grain as the only dimension); this file only lays the periods out.
 */
import { datasetOf, fieldOf } from './catalog.ts';
import { AnalyticsInputError } from './errors.ts';
import type { AnalyticsEngine } from './port.ts';
import { ANALYTICS_LIMITS, type Aggregation, type SeriesRequest } from './types.ts';
import { dateValue } from './values.ts';

export type SeriesGrain = SeriesRequest['granularity'];

export interface Series {
  /** First day of each period, `YYYY-MM-DD`, consecutive. */
  periods: string[];
  values: number[];
  /** Periods with no row, filled (see fillMissing). */
  filled: number;
}

/** Names of the range's fields in the request, for errors: `trainFrom`/`trainTo` or `from`/`to`. */
export interface RangeFields {
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;
const dayMs = (date: string) => Date.parse(`${date}T00:00:00Z`);
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The first day of the period of `grain` holding `date` (weeks start on Monday, as the engine's do). */
export function periodStart(date: string, grain: SeriesGrain): string {
  const d = new Date(dayMs(date));
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (grain) {
    case 'day':
      return date;
    case 'week':
      return isoDay(d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY_MS);
    case 'month':
      return isoDay(Date.UTC(y, m, 1));
    case 'quarter':
      return isoDay(Date.UTC(y, m - (m % 3), 1));
    case 'year':
      return isoDay(Date.UTC(y, 0, 1));
  }
}

/** The period `k` periods after the one starting at `start`. */
export function addPeriods(start: string, grain: SeriesGrain, k: number): string {
  const d = new Date(dayMs(start));
  if (grain === 'day' || grain === 'week') return isoDay(d.getTime() + k * (grain === 'day' ? 1 : 7) * DAY_MS);
  const months = grain === 'month' ? k : grain === 'quarter' ? 3 * k : 12 * k;
  return isoDay(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
}

/** Every period from the one holding `from` to the one holding `to`. */
export function periodsBetween(from: string, to: string, grain: SeriesGrain): string[] {
  const last = periodStart(to, grain);
  const periods: string[] = [];
  for (let p = periodStart(from, grain); p <= last; p = addPeriods(p, grain, 1)) periods.push(p);
  return periods;
}

const NUMERIC_TYPES: readonly string[] = ['integer', 'number', 'money'];

/** Aggregations whose value over no rows is 0; the others have none and are interpolated. */
const ZERO_WHEN_EMPTY: readonly Aggregation[] = ['sum', 'count', 'count_distinct'];

/**
 * Periods without a value: 0 for sums and counts (no orders is 0 orders); for
 * averages, extremes and percentiles there is no value to have, so the gap is
 * drawn straight between its neighbours (the nearest one at either end), the
 * least surprising guess for a model that needs every period.
 */
export function fillMissing(values: (number | null)[], agg: Aggregation): number[] {
  if (ZERO_WHEN_EMPTY.includes(agg)) return values.map((v) => v ?? 0);
  const known = values.flatMap((v, i) => (v === null ? [] : [i]));
  return values.map((v, i) => {
    if (v !== null) return v;
    const next = known.find((k) => k > i);
    const before = known.filter((k) => k < i);
    const prev = before.length > 0 ? before[before.length - 1] : undefined;
    if (prev === undefined) return values[next!]!;
    if (next === undefined) return values[prev]!;
    return values[prev]! + ((values[next]! - values[prev]!) * (i - prev)) / (next - prev);
  });
}

/**
 * Checks a date range: real calendar dates (1900–2200), `from` ≤ `to`, and at
 * most ANALYTICS_LIMITS.maxRangeDays long; each failure names its field.
 */
export function checkRange(from: string, to: string, fields: RangeFields): void {
  dateValue(fields.from, from);
  dateValue(fields.to, to);
  if (from > to) throw new AnalyticsInputError(fields.from, `${fields.from} (${from}) is after ${fields.to} (${to})`);
  const days = (dayMs(to) - dayMs(from)) / DAY_MS + 1;
  if (days > ANALYTICS_LIMITS.maxRangeDays) {
    throw new AnalyticsInputError(fields.from, `the range is ${days} days; at most ${ANALYTICS_LIMITS.maxRangeDays} (about 20 years)`);
  }
}

/**
 * Engine errors name paths of the query built here; the client sent a series
 * request, so `measures.0.agg` becomes `measure.agg`, `dimensions.0` the
 * granularity, and the range filter (appended last) the range's first field.
 */
function renamed(error: unknown, filters: number, fields: RangeFields): unknown {
  if (!(error instanceof AnalyticsInputError)) return error;
  const field = error.field
    .replace(/^measures\.0/, 'measure')
    .replace(/^dimensions\.0$/, 'granularity')
    .replace(new RegExp(`^filters\\.${filters}(\\..*)?$`), fields.from);
  return field === error.field ? error : new AnalyticsInputError(field, error.message);
}

/**
 * The series of `request` over the whole periods touching [from, to]: the
 * range is widened to its first period's first day and its last period's last
 * day, so no period is a part-period that looks like a drop.
 */
export async function loadSeries(engine: AnalyticsEngine, request: SeriesRequest & { from: string; to: string }, fields: RangeFields): Promise<Series> {
  checkRange(request.from, request.to, fields);
  const dataset = datasetOf(request.source);
  if (!dataset) throw new AnalyticsInputError('source', 'a source from GET /v1/analytics/datasets');
  if (!dataset.timeField) throw new AnalyticsInputError('source', `${dataset.name} has no time field, so no series`);
  // Only counts of a text or time field are numbers; its min or max is a name or a time, no series.
  const field = fieldOf(dataset, request.measure.field);
  if (field && !NUMERIC_TYPES.includes(field.type) && !['count', 'count_distinct'].includes(request.measure.agg)) {
    throw new AnalyticsInputError('measure.agg', `a series needs a number per period: ${field.name} is ${field.type}, so count or count_distinct`);
  }
  const periods = periodsBetween(request.from, request.to, request.granularity);
  const lastDay = isoDay(dayMs(addPeriods(periods.at(-1)!, request.granularity, 1)) - DAY_MS);
  const filters = [...request.filters, { field: dataset.timeField, op: 'between' as const, value: [periods[0]!, lastDay] }];
  const result = await engine
    .query({
      source: request.source,
      dimensions: [request.granularity],
      measures: [{ field: request.measure.field, agg: request.measure.agg, as: 'value' }],
      filters,
      sort: [],
      limit: periods.length + 1,
    })
    .catch((error: unknown) => Promise.reject(renamed(error, request.filters.length, fields)));
  const byPeriod = new Map(result.rows.map((r) => [String(r[request.granularity]), r.value === null ? null : Number(r.value)]));
  const raw = periods.map((p) => byPeriod.get(p) ?? null);
  // No rows at all: a count or a sum is 0 in every period (an empty answer: nothing unusual, a forecast of 0);
  // an average or a percentile has no value anywhere to start from.
  if (raw.every((v) => v === null) && !ZERO_WHEN_EMPTY.includes(request.measure.agg)) {
    throw new AnalyticsInputError('filters', `no rows of ${dataset.name} match in ${request.from} … ${request.to}: there is no ${request.measure.agg} to work on`);
  }
  return { periods, values: fillMissing(raw, request.measure.agg), filled: raw.filter((v) => v === null).length };
}

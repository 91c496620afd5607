/**
 * Drill-down: the rows under one cell of a pivot, a page at a time. The cell's
 * header values become filters next to the view's own: a field's value an `eq`
 * (null an `is null`), a period (`month: "2025-03-01"`) the range [its first
 * day, the next period's) on the dataset's time field, cut in the engine's time
 * zone as the grain is, so the rows are exactly those the cell aggregated.
 */
import { datasetOf, fieldOf, isGrain } from './catalog.ts';
import { AnalyticsInputError } from './errors.ts';
import type { AnalyticsEngine, RowsPage } from './port.ts';
import { ANALYTICS_LIMITS, type Filter, type Scalar, type TimeGrain } from './types.ts';
import { dateValue } from './values.ts';

export interface DrillRequest {
  source: string;
  /** The view's filters (and a report's linked filters), as the pivot had them. */
  filters: Filter[];
  /** The cell: a value for each row and column field it lies under (a subtotal's: fewer). */
  cell: Record<string, Scalar>;
  fields?: string[];
  limit: number;
  after?: string;
}

const DAY = 86_400_000;

/** Whether `day` starts a period of the grain, and the next period's first day. */
function nextPeriod(grain: Exclude<TimeGrain, 'weekday'>, day: string): { first: boolean; next: string } {
  const d = new Date(`${day}T00:00:00Z`);
  const [y, m] = [d.getUTCFullYear(), d.getUTCMonth()];
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  switch (grain) {
    case 'day':
      return { first: true, next: iso(d.getTime() + DAY) };
    case 'week': // ISO weeks start on Monday (getUTCDay 1), as the engine's date_trunc('week') does.
      return { first: d.getUTCDay() === 1, next: iso(d.getTime() + 7 * DAY) };
    case 'month':
      return { first: d.getUTCDate() === 1, next: iso(Date.UTC(y, m + 1, 1)) };
    case 'quarter':
      return { first: d.getUTCDate() === 1 && m % 3 === 0, next: iso(Date.UTC(y, m + 3, 1)) };
    case 'year':
      return { first: d.getUTCDate() === 1 && m === 0, next: iso(Date.UTC(y + 1, 0, 1)) };
  }
}

/** The filters one header value of the cell stands for; errors name `cell.<name>`. */
function cellFilters(source: string, name: string, value: Scalar): Filter[] {
  const dataset = datasetOf(source);
  if (!dataset) throw new AnalyticsInputError('source', 'not a dataset (see GET /v1/analytics/datasets)');
  const path = `cell.${name}`;
  if (isGrain(dataset, name) && name !== 'weekday') {
    if (value === null) throw new AnalyticsInputError(path, 'a period is never null');
    const day = dateValue(path, value);
    const { first, next } = nextPeriod(name, day);
    if (!first) throw new AnalyticsInputError(path, `the first day of a ${name}, as the pivot shows it (weeks start on Monday)`);
    // Whole days in the engine's time zone: gte a day is from its start, lt a day is before its start.
    return [
      { field: dataset.timeField!, op: 'gte', value: day },
      { field: dataset.timeField!, op: 'lt', value: next },
    ];
  }
  // A weekday has no range; the engine filters on the grain itself, as it grouped.
  if (!isGrain(dataset, name) && !fieldOf(dataset, name)?.dimension) {
    throw new AnalyticsInputError(path, `${name} is not a dimension of ${source} (see GET /v1/analytics/datasets)`);
  }
  return [{ field: name, op: 'eq', value }];
}

/** One page of the cell's rows, in the dataset's key order; `next` is the `after` of the following page. */
export async function drillCell(engine: AnalyticsEngine, request: DrillRequest): Promise<RowsPage> {
  const entries = Object.entries(request.cell);
  if (entries.length > ANALYTICS_LIMITS.maxDimensions) throw new AnalyticsInputError('cell', `at most ${ANALYTICS_LIMITS.maxDimensions} fields`);
  const own = request.filters.length;
  const origins: string[] = [];
  const filters = [...request.filters];
  for (const [name, value] of entries) {
    for (const f of cellFilters(request.source, name, value)) {
      filters.push(f);
      origins.push(`cell.${name}`);
    }
  }
  if (filters.length > ANALYTICS_LIMITS.maxFilters) throw new AnalyticsInputError('filters', `at most ${ANALYTICS_LIMITS.maxFilters} filters with the cell's`);
  try {
    return await engine.rows({ source: request.source, filters, fields: request.fields, limit: request.limit, after: request.after });
  } catch (error) {
    // The engine names `filters.N`: past the view's own, N is one the cell made.
    if (!(error instanceof AnalyticsInputError)) throw error;
    const match = /^filters\.(\d+)/.exec(error.field);
    if (match && Number(match[1]) >= own) throw new AnalyticsInputError(origins[Number(match[1]) - own]!, error.message);
    throw error;
  }
}

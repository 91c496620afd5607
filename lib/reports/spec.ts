/**
 * A report's spec as the analytics requests it stands for, and the checks made
 * before a report starts. Every view takes the report's filters (linked filters),
 * so the table, pivot, forecast, anomalies and charts all show the same slice.
 */
import { AnalyticsInputError } from '../analytics/errors.ts';
import type { AnalyticsEngine } from '../analytics/port.ts';
import { ANALYTICS_LIMITS, type AnalyticsQuery, type AnomalyRequest, type ForecastRequest, type Measure, type PivotRequest } from '../analytics/types.ts';
import { checkChartSpecs } from './charts/index.ts';
import type { ReportSpec } from './types.ts';

export interface SpecProblem {
  field: string;
  detail: string;
}

/** A measure's column name: `as`, or `<agg>_<field>`. */
export const measureColumn = (m: Measure) => m.as ?? `${m.agg}_${m.field}`;

/** The report's table: every dimension × every measure, under its filters. */
export function reportQuery(spec: ReportSpec): AnalyticsQuery {
  return {
    source: spec.source,
    dimensions: spec.dimensions,
    measures: spec.measures,
    filters: spec.filters,
    sort: spec.sort ?? [],
    // A report wants every group: the most a query may return, unless it asks for fewer.
    limit: spec.limit ?? ANALYTICS_LIMITS.maxLimit,
  };
}

export function pivotRequest(spec: ReportSpec): PivotRequest | undefined {
  if (!spec.pivot) return undefined;
  return { source: spec.source, rows: spec.pivot.rows, columns: spec.pivot.columns, measures: spec.measures, filters: spec.filters, shares: spec.pivot.shares };
}

/** The measure a forecast or anomaly view follows: the named measure column, else the first. */
export function seriesMeasure(spec: ReportSpec, column: string | undefined): Measure | undefined {
  return column === undefined ? spec.measures[0] : spec.measures.find((m) => measureColumn(m) === column);
}

export function forecastRequest(spec: ReportSpec): ForecastRequest | undefined {
  const f = spec.forecast;
  const measure = f && seriesMeasure(spec, f.measure);
  if (!f || !measure) return undefined;
  return { source: spec.source, measure, granularity: f.granularity, filters: spec.filters, trainFrom: f.trainFrom, trainTo: f.trainTo, horizon: f.horizon };
}

export function anomalyRequest(spec: ReportSpec): AnomalyRequest | undefined {
  const a = spec.anomalies;
  const measure = a && seriesMeasure(spec, a.measure);
  if (!a || !measure) return undefined;
  return { source: spec.source, measure, granularity: a.granularity, filters: spec.filters, from: a.from, to: a.to };
}

const DAY_MS = 86_400_000;
const dayOf = (s: string) => Date.parse(`${s}T00:00:00Z`);
const isRealDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(dayOf(s)) && new Date(dayOf(s)).toISOString().startsWith(s);
const GRAIN_DAYS = { day: 1, week: 7, month: 365.25 / 12, quarter: 365.25 / 4, year: 365.25 } as const;

/** A date range of a series view: real dates, in order, not absurdly long. */
function checkRange(problems: SpecProblem[], at: string, from: [string, string], to: [string, string]): number | undefined {
  for (const [name, value] of [from, to]) {
    if (!isRealDate(value)) problems.push({ field: `${at}.${name}`, detail: 'not a calendar date' });
  }
  if (problems.some((p) => p.field.startsWith(`${at}.`))) return undefined;
  const days = (dayOf(to[1]) - dayOf(from[1])) / DAY_MS + 1;
  if (days < 1) problems.push({ field: `${at}.${to[0]}`, detail: `before ${from[0]}` });
  else if (days > ANALYTICS_LIMITS.maxRangeDays) problems.push({ field: `${at}.${from[0]}`, detail: `the range is over ${ANALYTICS_LIMITS.maxRangeDays} days` });
  else return days;
  return undefined;
}

/** The engine's verdict on a query, as a problem at `map(field)`. */
function engineProblem(engine: AnalyticsEngine, query: AnalyticsQuery, map: (field: string) => string): SpecProblem | undefined {
  try {
    engine.check(query);
    return undefined;
  } catch (error) {
    if (error instanceof AnalyticsInputError) return { field: map(error.field), detail: error.message };
    throw error;
  }
}

/** A series view's measure and grain, checked by the engine as the query the view will run. */
function checkSeries(problems: SpecProblem[], engine: AnalyticsEngine, spec: ReportSpec, at: 'forecast' | 'anomalies', grain: string, column?: string): void {
  const measure = seriesMeasure(spec, column);
  if (!measure) {
    problems.push({ field: `${at}.measure`, detail: `not a measure column of this report (${spec.measures.map(measureColumn).join(', ')})` });
    return;
  }
  const query = { source: spec.source, dimensions: [grain], measures: [measure], filters: spec.filters, sort: [], limit: 1 };
  const problem = engineProblem(engine, query, (f) => (f.startsWith('dimensions') ? `${at}.granularity` : f.startsWith('measures') ? `${at}.measure` : f));
  if (problem) problems.push(problem);
}

/**
 * Everything that can be known wrong before the report runs, each problem naming
 * its field in the report's body: names the catalog lacks (the engine's check),
 * pivot fields outside the dimensions, series views on a measure the report does
 * not have, impossible ranges, charts naming what the report does not show.
 */
export function checkReportSpec(spec: ReportSpec, engine: AnalyticsEngine): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const tableProblem = engineProblem(engine, reportQuery(spec), (f) => f);
  if (tableProblem) return [tableProblem]; // an unknown source or field: the rest would only repeat it
  const columns = spec.measures.map(measureColumn);
  columns.forEach((c, i) => {
    if (columns.indexOf(c) !== i || spec.dimensions.includes(c)) problems.push({ field: `measures.${i}.as`, detail: `the column name ${c} is used twice` });
  });
  if (spec.pivot) {
    const { rows, columns: across } = spec.pivot;
    for (const [name, fields] of [['rows', rows], ['columns', across]] as const) {
      fields.forEach((f, i) => {
        if (!spec.dimensions.includes(f)) problems.push({ field: `pivot.${name}.${i}`, detail: `${f} is not one of the report's dimensions (${spec.dimensions.join(', ')})` });
        else if (name === 'columns' && rows.includes(f)) problems.push({ field: `pivot.columns.${i}`, detail: `${f} is a row field already` });
      });
    }
  }
  if (spec.forecast) {
    const f = spec.forecast;
    checkSeries(problems, engine, spec, 'forecast', f.granularity, f.measure);
    const days = checkRange(problems, 'forecast', ['trainFrom', f.trainFrom], ['trainTo', f.trainTo]);
    if (days !== undefined && days / GRAIN_DAYS[f.granularity] < ANALYTICS_LIMITS.minTrainPeriods - 1) {
      problems.push({ field: 'forecast.trainFrom', detail: `a forecast trains on at least ${ANALYTICS_LIMITS.minTrainPeriods} periods of ${f.granularity}` });
    }
  }
  if (spec.anomalies) {
    const a = spec.anomalies;
    checkSeries(problems, engine, spec, 'anomalies', a.granularity, a.measure);
    checkRange(problems, 'anomalies', ['from', a.from], ['to', a.to]);
  }
  if (spec.charts?.length) {
    const seriesColumn = (view?: { measure?: string }) => (view ? (view.measure ?? columns[0]) : undefined);
    const chartProblems = checkChartSpecs(spec.charts, {
      dimensions: spec.dimensions,
      measureColumns: columns,
      forecast: spec.forecast !== undefined,
      anomalies: spec.anomalies !== undefined,
      // With the aggregations, a chart over fewer dimensions than the table is refused for a measure that cannot be re-added (an average).
      aggregations: Object.fromEntries(spec.measures.map((m) => [measureColumn(m), m.agg])),
      forecastMeasure: seriesColumn(spec.forecast),
      anomaliesMeasure: seriesColumn(spec.anomalies),
    });
    for (const p of chartProblems) problems.push({ field: p.field.startsWith('charts') ? p.field : `charts.${p.field}`, detail: p.detail });
  }
  return problems;
}

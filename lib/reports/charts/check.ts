import type { Aggregation } from '../../analytics/types.ts';
import { CHART_TYPES, type ChartSpec, type ChartType } from '../types.ts';
import { CHART_LIMITS } from './input.ts';

/** Most charts one report draws (each costs about half a second to render). */
export const MAX_REPORT_CHARTS = 12;

/** What a chart spec is checked against: the report's own names. */
export interface ChartReportShape {
  dimensions: string[];
  measureColumns: string[];
  forecast: boolean;
  anomalies: boolean;
  /**
   * Optional: each measure column's aggregation. With it, a chart that leaves out
   * some of the report's dimensions is refused for a measure whose groups cannot
   * be combined (an average of averages is not the average).
   */
  aggregations?: Record<string, Aggregation>;
  /** Optional: the measure column the forecast / the anomaly detection is of. */
  forecastMeasure?: string;
  anomaliesMeasure?: string;
}

/** A spec with its defaults filled in: what the chart will draw. */
export interface ResolvedChart {
  type: ChartType;
  title?: string;
  view: 'data' | 'forecast' | 'anomalies';
  /** The report's measure column; for the forecast and anomalies views, theirs. */
  measure: string;
  dimension?: string;
  series?: string;
}

export interface ChartSpecProblem { field: string; detail: string }

/** Measures whose groups combine into the coarser group's value: sums add up, minima and maxima stay. */
const COMBINABLE = new Set<Aggregation>(['sum', 'count', 'min', 'max']);

const list = (names: string[]): string => (names.length > 0 ? names.join(', ') : '(none)');

/** Checks one spec and fills its defaults; `problems` names the fields as `charts.<index>.<field>`. */
export function resolveChart(spec: ChartSpec, index: number, report: ChartReportShape): { chart?: ResolvedChart; problems: ChartSpecProblem[] } {
  const at = (field: string) => `charts.${index}${field ? `.${field}` : ''}`;
  const problems: ChartSpecProblem[] = [];
  const fail = (field: string, detail: string) => ({ problems: [...problems, { field: at(field), detail }] });
  if (typeof spec !== 'object' || spec === null) return fail('', 'a chart is an object');
  if (!(CHART_TYPES as readonly string[]).includes(spec.type)) return fail('type', `unknown chart type; one of ${CHART_TYPES.join(', ')}`);
  if (spec.title !== undefined && (typeof spec.title !== 'string' || spec.title.length > CHART_LIMITS.title)) {
    problems.push({ field: at('title'), detail: `a title is text of at most ${CHART_LIMITS.title} characters` });
  }
  const view = spec.view ?? 'data';
  if (view !== 'data' && view !== 'forecast' && view !== 'anomalies') return fail('view', 'one of data, forecast, anomalies');

  if (view !== 'data') {
    const has = view === 'forecast' ? report.forecast : report.anomalies;
    const own = view === 'forecast' ? report.forecastMeasure : report.anomaliesMeasure;
    if (!has) return fail('view', `the report asks for no ${view === 'forecast' ? 'forecast' : 'anomaly detection'}`);
    if (spec.type !== 'line') return fail('type', `the ${view} view is drawn as a line chart`);
    if (spec.dimension !== undefined) return fail('dimension', `the ${view} view is drawn over time; it takes no dimension`);
    if (spec.series !== undefined) return fail('series', `the ${view} view draws one series; it takes no series`);
    if (spec.measure !== undefined && own !== undefined && spec.measure !== own) return fail('measure', `the ${view} is of ${own}`);
    if (spec.measure !== undefined && !report.measureColumns.includes(spec.measure)) return fail('measure', `not a measure column of the report: ${list(report.measureColumns)}`);
    const measure = spec.measure ?? own ?? report.measureColumns[0] ?? '';
    return problems.length > 0 ? { problems } : { chart: { type: 'line', title: spec.title, view, measure }, problems };
  }

  const measure = spec.measure ?? report.measureColumns[0];
  if (measure === undefined) return fail('measure', 'the report has no measure to chart');
  if (!report.measureColumns.includes(measure)) return fail('measure', `not a measure column of the report: ${list(report.measureColumns)}`);
  if (spec.dimension !== undefined && !report.dimensions.includes(spec.dimension)) return fail('dimension', `not a dimension of the report: ${list(report.dimensions)}`);
  const dimension = spec.dimension ?? report.dimensions[0];
  if (dimension === undefined) return fail('dimension', 'the report has no dimension to chart by');

  let series = spec.series;
  if (series !== undefined) {
    if (spec.type === 'pie') return fail('series', 'a pie has one slice per value of its dimension; it takes no series');
    if (!report.dimensions.includes(series)) return fail('series', `not a dimension of the report: ${list(report.dimensions)}`);
    if (series === dimension) return fail('series', `the same as the chart's dimension (${dimension})`);
  } else if (spec.type === 'heatmap' || spec.type === 'sankey') {
    // Both axes are needed: the second defaults to the report's next dimension.
    series = report.dimensions.find((d) => d !== dimension);
    if (series === undefined) return fail('series', `a ${spec.type} needs two dimensions; the report has only ${dimension}`);
  }

  const agg = report.aggregations?.[measure];
  const left = report.dimensions.filter((d) => d !== dimension && d !== series);
  if (agg !== undefined && !COMBINABLE.has(agg) && left.length > 0) {
    return fail('measure', `${measure} (${agg}) cannot be combined over ${left.join(', ')}, which the chart leaves out; chart a sum, count, min or max, or every dimension`);
  }
  return problems.length > 0 ? { problems } : { chart: { type: spec.type, title: spec.title, view, measure, dimension, series }, problems };
}

/**
 * Problems with a report's chart specs, each naming its field (`charts.2.series`),
 * so that the reports API answers 400 before a workflow starts. Empty: all good.
 */
export function checkChartSpecs(specs: ChartSpec[], report: ChartReportShape): ChartSpecProblem[] {
  if (!Array.isArray(specs)) return [{ field: 'charts', detail: 'a list of charts' }];
  if (specs.length > MAX_REPORT_CHARTS) return [{ field: 'charts', detail: `at most ${MAX_REPORT_CHARTS} charts per report` }];
  return specs.flatMap((spec, i) => resolveChart(spec, i, report).problems);
}

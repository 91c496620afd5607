import type { AnomalyResult, Filter, ForecastResult, Measure, PivotResult, QueryResult, SortKey, TimeGrain } from '../analytics/types.ts';

export const CHART_TYPES = ['line', 'bar', 'pie', 'heatmap', 'sankey', 'radar'] as const;
export type ChartType = (typeof CHART_TYPES)[number];

export const REPORT_FORMATS = ['xlsx', 'pdf', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * A chart of a report, named by the report's own fields:
 * - line, bar: `dimension` along the axis, one series per value of `series` (optional);
 *   `view: 'forecast'` draws the forecast with its band, `view: 'anomalies'` the series with its anomalies marked;
 * - pie: one slice per value of `dimension`;
 * - heatmap: `dimension` across, `series` down;
 * - sankey: flows from values of `dimension` to values of `series`;
 * - radar: one axis per value of `dimension`, one polygon per value of `series` (optional).
 * `measure` is a measure column of the report (default: the first).
 */
export interface ChartSpec {
  type: ChartType;
  title?: string;
  dimension?: string;
  series?: string;
  measure?: string;
  view?: 'data' | 'forecast' | 'anomalies';
}

/**
 * What `POST /v1/reports` asks for. `filters` are the report's linked filters:
 * they apply to every view of it (the table, the pivot, the forecast, the
 * anomalies and every chart).
 */
export interface ReportSpec {
  title: string;
  source: string;
  dimensions: string[];
  measures: Measure[];
  filters: Filter[];
  sort?: SortKey[];
  limit?: number;
  pivot?: { rows: string[]; columns: string[]; shares?: ('row' | 'column' | 'total')[] };
  forecast?: { measure?: string; granularity: Exclude<TimeGrain, 'weekday'>; trainFrom: string; trainTo: string; horizon: number };
  anomalies?: { measure?: string; granularity: Exclude<TimeGrain, 'weekday'>; from: string; to: string };
  charts?: ChartSpec[];
  formats: ReportFormat[];
}

/** One chart drawn for a report. */
export interface RenderedChart {
  title: string;
  type: ChartType;
  png: Buffer;
  svg: string;
  width: number;
  height: number;
}

/** Everything a report's files show, computed once and rendered into each format. */
export interface ReportContent {
  id: string;
  title: string;
  source: string;
  /** ISO time the data was read. */
  generatedAt: string;
  dimensions: string[];
  measures: Measure[];
  filters: Filter[];
  data: QueryResult;
  pivot?: PivotResult;
  /** The measure column forecast, and the forecast. */
  forecast?: ForecastResult & { measure: string; granularity: string };
  anomalies?: AnomalyResult & { measure: string; granularity: string };
}

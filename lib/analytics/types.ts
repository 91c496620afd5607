/**
 * The analytics query language: what a client may ask of a dataset, and what it
 * gets back. Names (sources, fields, grains) are looked up in the catalog
 * (catalog.ts), the only source of SQL identifiers; values are bound parameters.
 */
export const AGGREGATIONS = ['sum', 'count', 'avg', 'min', 'max', 'count_distinct', 'p50', 'p90', 'p95', 'p99'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export const FILTER_OPS = ['eq', 'ne', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'between', 'contains'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

/** Time grains of a dataset's time field; each is also a dimension name (`"month"`). */
export const TIME_GRAINS = ['day', 'week', 'month', 'quarter', 'year', 'weekday'] as const;
export type TimeGrain = (typeof TIME_GRAINS)[number];

export type Scalar = string | number | boolean | null;

export interface Measure {
  field: string;
  agg: Aggregation;
  /** The result column's name; default `<agg>_<field>`, e.g. `sum_revenue`. */
  as?: string;
}

export interface Filter {
  field: string;
  op: FilterOp;
  /** `in`/`not_in`: an array; `between`: `[low, high]`, both inclusive; otherwise one scalar. */
  value: Scalar | Scalar[];
}

export interface SortKey {
  /** A dimension or a measure's column name. */
  field: string;
  dir: 'asc' | 'desc';
}

export interface AnalyticsQuery {
  source: string;
  dimensions: string[];
  measures: Measure[];
  filters: Filter[];
  sort: SortKey[];
  limit: number;
}

/**
 * Column types of an answer. `money` is computed as `numeric` in the database and
 * sent as a JSON number rounded to the cent (exact for |x| < 2^53 / 100). Periods
 * of the grains day…year are `date` strings `YYYY-MM-DD` (the period's first day);
 * `weekday` is an `integer`, 1 = Monday … 7 = Sunday (ISO).
 */
export type ColumnType = 'string' | 'integer' | 'number' | 'money' | 'date' | 'timestamp' | 'boolean';

export interface Column {
  name: string;
  type: ColumnType;
  role: 'dimension' | 'measure';
}

export type Value = string | number | boolean | null;
export type Row = Record<string, Value>;

export interface QueryResult {
  columns: Column[];
  rows: Row[];
  /** More groups matched than `limit`. */
  truncated: boolean;
  /** Time the database spent, in ms. */
  sql_ms: number;
}

/** Bounds on every request; a request over one gets a 400 naming the field and the limit. */
export const ANALYTICS_LIMITS = {
  maxDimensions: 6,
  maxMeasures: 12,
  maxFilters: 32,
  maxSort: 8,
  /** Values of one `in` / `not_in` filter. */
  maxInValues: 1000,
  /** Longest string value in a filter, and longest `as`. */
  maxValueLength: 200,
  defaultLimit: 1000,
  maxLimit: 50_000,
  /** Pivot: row groups × column groups × measures. */
  maxPivotCells: 200_000,
  /** Drill-down page size. */
  maxPageSize: 500,
  /** Forecast horizon, in periods of its granularity. */
  maxHorizon: 366,
  /** Longest training or detection range, in days (about 20 years). */
  maxRangeDays: 7_400,
  /** Fewest periods a forecast trains on. */
  minTrainPeriods: 14,
} as const;

/** A pivot: the query's groups laid out as row fields × column fields, with totals. */
export interface PivotRequest {
  source: string;
  /** Row fields (dimensions), outermost first. */
  rows: string[];
  /** Column fields (dimensions); may be empty. */
  columns: string[];
  measures: Measure[];
  filters: Filter[];
  /** Shares to add to every cell; default none. */
  shares?: ('row' | 'column' | 'total')[];
}

export interface PivotRow {
  /** `detail`: one group of all row fields; `subtotal`: its first `depth` row fields fixed; `total`: the grand total. */
  kind: 'detail' | 'subtotal' | 'total';
  /** Values of the row fields; past `depth`, null. */
  key: Value[];
  depth: number;
  /**
   * `cells[m][c]`: measure `m` (index into `measures`) at column key `c`; the
   * last entry, at index `columnKeys.length`, is the row's total over all columns.
   * Totals are exact for every aggregation (computed by the database, not summed).
   * A cell no row falls in is null (a count too: there is no group there).
   */
  cells: (number | null)[][];
  /**
   * Same shape as `cells`, fractions 0…1, for each requested share. Only sums and
   * counts have shares; other measures' are null (see lib/analytics/pivot-shares.ts).
   */
  shares?: Partial<Record<'row' | 'column' | 'total', (number | null)[][]>>;
}

export interface PivotResult {
  rowFields: Column[];
  columnFields: Column[];
  measures: Column[];
  /**
   * Each column header tuple (values of the column fields), ascending, nulls last;
   * without the total column. Empty without column fields: cells then hold the total only.
   */
  columnKeys: Value[][];
  /** Detail rows, each group followed by its subtotal, the grand total last. */
  rows: PivotRow[];
  sql_ms: number;
}

/** A time series question: one measure of a source by a grain, under filters. */
export interface SeriesRequest {
  source: string;
  measure: Measure;
  granularity: Exclude<TimeGrain, 'weekday'>;
  filters: Filter[];
}

export interface ForecastRequest extends SeriesRequest {
  /** Training range, inclusive dates `YYYY-MM-DD`. */
  trainFrom: string;
  trainTo: string;
  /** Periods to forecast after `trainTo`. */
  horizon: number;
  /** Prediction interval level, default 0.95. */
  level?: number;
}

export interface ForecastPoint {
  period: string;
  value: number;
  lower: number;
  upper: number;
}

export interface ForecastResult {
  forecast: ForecastPoint[];
  /** e.g. `mstl(7)+ets` (MSTL with an AutoETS trend, weekly season), or `ets` with no season: the model and its seasonal periods. */
  method: string;
  /** Error of the same method on the training data's last `horizon` periods, held out; sMAPE in percent. */
  backtest: {
    smape: number;
    horizon: number;
    baseline: { method: 'seasonal_naive'; smape: number };
    /** The method as refitted without the held-out periods: fewer periods can mean fewer seasons (added by C). */
    method?: string;
  };
  /** The training series as the model saw it (missing periods: 0 for sums and counts, interpolated for the rest; see series.ts). */
  history: { period: string; value: number }[];
  level: number;
}

export interface AnomalyRequest extends SeriesRequest {
  from: string;
  to: string;
}

export interface Anomaly {
  period: string;
  value: number;
  expected: number;
  /** How unusual, ≥ 0: robust z-score of the seasonal residual (|z| ≥ threshold is flagged). */
  score: number;
  direction: 'spike' | 'drop';
  /** Why, in words: which detectors flagged it and by how much. */
  reason: string;
}

export interface AnomalyResult {
  anomalies: Anomaly[];
  method: string;
  /** The series examined, with the expected value at each period. */
  series: { period: string; value: number; expected: number }[];
}

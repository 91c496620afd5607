/**
 * What a chart draws, as plain data: no ECharts option leaks out of this folder,
 * so a report, a test or a future endpoint can describe a chart without knowing
 * the renderer. Every list is bounded at render time (CHART_LIMITS).
 */
export interface ChartBase {
  /** At most CHART_LIMITS.title characters (longer is cut with an ellipsis). */
  title: string;
  /** A second, smaller line under the title: method, error, truncation notes. */
  subtitle?: string;
  /** Name of the value axis, e.g. "收入". */
  valueLabel?: string;
  /**
   * The values may be summed (sum, count): categories or series over a limit are
   * then folded into "其他 / Other". Otherwise (avg, percentiles…) a sum means
   * nothing, and the smallest are left out instead. Default true.
   */
  additive?: boolean;
}

export interface ChartSeries {
  name: string;
  /** One per category; null is a gap. */
  values: (number | null)[];
}

export interface LineChartInput extends ChartBase {
  type: 'line';
  /** Periods in order: over the limit the latest are kept (a time axis is never folded). */
  categories: string[];
  series: ChartSeries[];
  /** A shaded interval (e.g. a forecast's), one lower and one upper per category; null outside it. */
  band?: { name: string; lower: (number | null)[]; upper: (number | null)[] };
  /** Points to flag (e.g. anomalies), drawn on the first series. */
  marks?: { category: string; value: number; label: string; kind?: 'spike' | 'drop' }[];
  /** Series names drawn dashed (e.g. a forecast or an expected value). */
  dashed?: string[];
}

export interface BarChartInput extends ChartBase {
  type: 'bar';
  categories: string[];
  /** Grouped bars, one per series. */
  series: ChartSeries[];
  /** Categories are periods in order: keep the latest rather than fold. */
  ordered?: boolean;
  stacked?: boolean;
}

export interface PieChartInput extends ChartBase {
  type: 'pie';
  /** Slices; zero, negative and missing values cannot be slices and are left out. */
  slices: { name: string; value: number | null }[];
}

export interface HeatmapChartInput extends ChartBase {
  type: 'heatmap';
  x: string[];
  y: string[];
  cells: { x: string; y: string; value: number | null }[];
  /** The x categories are periods in order. */
  ordered?: boolean;
}

export interface SankeyChartInput extends ChartBase {
  type: 'sankey';
  /**
   * Flows. With `bipartite` (the default) sources and targets are two columns, so
   * a name on both sides is two nodes; otherwise a name is one node and links
   * that would close a cycle are dropped (ECharts' sankey loops forever on one).
   */
  links: { source: string; target: string; value: number | null }[];
  bipartite?: boolean;
}

export interface RadarChartInput extends ChartBase {
  type: 'radar';
  /** One axis each; `max` defaults to a round number above the largest value. */
  indicators: { name: string; max?: number }[];
  series: ChartSeries[];
}

export type ChartInput = LineChartInput | BarChartInput | PieChartInput | HeatmapChartInput | SankeyChartInput | RadarChartInput;

export const CHART_LIMITS = {
  title: 200,
  /** Longest label drawn (category, series, node); longer is cut with an ellipsis. */
  label: 40,
  /** Points along a line (about three years of days). */
  linePoints: 1500,
  categories: 60,
  series: 12,
  slices: 12,
  heatmapX: 60,
  heatmapY: 40,
  /** Nodes per side of a sankey, and links drawn. */
  sankeyNodes: 30,
  sankeyLinks: 100,
  radarIndicators: 24,
  marks: 40,
  minSize: { width: 200, height: 150 },
  maxSize: { width: 2400, height: 1600 },
} as const;

export const DEFAULT_CHART_SIZE = { width: 800, height: 450 } as const;

/** The name of the fold of what was left over. */
export const OTHER = '其他 / Other';

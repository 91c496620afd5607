import { AppError } from '../../errors.ts';
import type { Aggregation } from '../../analytics/types.ts';
import type { ChartSpec, RenderedChart, ReportContent } from '../types.ts';
import { resolveChart, checkChartSpecs, type ChartReportShape, type ChartSpecProblem, type ResolvedChart } from './check.ts';
import { chartGrid } from './grid.ts';
import type { ChartInput } from './input.ts';
import { dimensionLabel, grainLabel, measureColumn, measureLabel, valueLabel } from './labels.ts';
import { renderChart } from './render.ts';
import type { Size } from './options-base.ts';

/** A report's chart specs that do not fit its content; the workflow should not retry it. */
export class ChartSpecError extends AppError {
  constructor(readonly problems: ChartSpecProblem[]) {
    // Non-retryable (an AppError's default): the same spec over the same content fails the same way.
    super('E_REPORT_INVALID', `bad chart spec: ${problems.map((p) => `${p.field}: ${p.detail}`).join('; ')}`);
  }
}

/** The names a report's charts may use, read off its content. */
export function chartShapeOf(content: ReportContent): ChartReportShape {
  const fromColumns = content.data.columns.filter((c) => c.role === 'measure').map((c) => c.name);
  return {
    dimensions: content.dimensions,
    measureColumns: fromColumns.length > 0 ? fromColumns : content.measures.map(measureColumn),
    forecast: content.forecast !== undefined,
    anomalies: content.anomalies !== undefined,
    aggregations: Object.fromEntries(content.measures.map((m) => [measureColumn(m), m.agg])) as Record<string, Aggregation>,
    forecastMeasure: content.forecast?.measure,
    anomaliesMeasure: content.anomalies?.measure,
  };
}

const ADDITIVE = new Set<Aggregation | undefined>(['sum', 'count', undefined]);
const pct = (v: number): string => `${Number.isFinite(v) ? v.toFixed(1) : '–'}%`;

function forecastInput(chart: ResolvedChart, content: ReportContent, label: string): ChartInput {
  const f = content.forecast!;
  const history = f.history;
  const n = history.length;
  const last = history[n - 1]?.value ?? null;
  // The forecast line and band start at the last actual point, so that they join the history.
  const before = (i: number) => (i === n - 1 ? last : null);
  const level = Math.round((f.level ?? 0.95) * 100);
  return {
    type: 'line',
    title: chart.title ?? `${label} 预测（按${grainLabel(f.granularity)}）`,
    subtitle: `方法 ${f.method}；回测 sMAPE ${pct(f.backtest.smape)}（季节性朴素基线 ${pct(f.backtest.baseline.smape)}，${f.backtest.horizon} 期）`,
    valueLabel: label,
    categories: [...history.map((p) => valueLabel(p.period, f.granularity)), ...f.forecast.map((p) => valueLabel(p.period, f.granularity))],
    series: [
      { name: '实际', values: [...history.map((p) => p.value), ...f.forecast.map(() => null)] },
      { name: '预测', values: [...history.map((_, i) => before(i)), ...f.forecast.map((p) => p.value)] },
    ],
    dashed: ['预测'],
    band: {
      name: `${level}% 预测区间`,
      lower: [...history.map((_, i) => before(i)), ...f.forecast.map((p) => p.lower)],
      upper: [...history.map((_, i) => before(i)), ...f.forecast.map((p) => p.upper)],
    },
  };
}

function anomaliesInput(chart: ResolvedChart, content: ReportContent, label: string): ChartInput {
  const a = content.anomalies!;
  const byScore = [...a.anomalies].sort((x, y) => y.score - x.score);
  return {
    type: 'line',
    title: chart.title ?? `${label} 异常（按${grainLabel(a.granularity)}）`,
    subtitle: `方法 ${a.method}；${a.anomalies.length} 个异常（红：突增，橙：骤降）`,
    valueLabel: label,
    categories: a.series.map((p) => valueLabel(p.period, a.granularity)),
    series: [
      { name: '实际', values: a.series.map((p) => p.value) },
      { name: '预期', values: a.series.map((p) => p.expected) },
    ],
    dashed: ['预期'],
    marks: byScore.map((x) => ({
      category: valueLabel(x.period, a.granularity),
      value: x.value,
      label: x.direction === 'spike' ? '突增' : '骤降',
      kind: x.direction,
    })),
  };
}

function dataInput(chart: ResolvedChart, content: ReportContent, label: string): ChartInput {
  const dimension = chart.dimension!;
  const agg = content.measures.find((m) => measureColumn(m) === chart.measure)?.agg;
  const grid = chartGrid(content.data.rows, dimension, chart.series, chart.measure, agg);
  const [d, s] = [dimensionLabel(content.source, dimension), chart.series && dimensionLabel(content.source, chart.series)];
  const base = {
    subtitle: content.data.truncated ? '数据已截断：查询结果达到行数上限' : undefined,
    valueLabel: label,
    additive: ADDITIVE.has(agg),
  };
  const ordered = content.dimensions.includes(dimension) && /^(day|week|month|quarter|year|weekday)$/.test(dimension);
  const series = grid.series.map((name, i) => ({ name: name || label, values: grid.values[i]! }));
  const by = `${label} 按 ${d}${s ? ` 和 ${s}` : ''}`;
  switch (chart.type) {
    case 'line': return { ...base, type: 'line', title: chart.title ?? by, categories: grid.categories, series };
    case 'bar': return { ...base, type: 'bar', title: chart.title ?? by, categories: grid.categories, series, ordered };
    case 'pie':
      return { ...base, type: 'pie', title: chart.title ?? by, slices: grid.categories.map((name, i) => ({ name, value: grid.values[0]![i] ?? null })) };
    case 'radar':
      return { ...base, type: 'radar', title: chart.title ?? by, indicators: grid.categories.map((name) => ({ name })), series };
    case 'heatmap':
      return {
        ...base, type: 'heatmap', title: chart.title ?? `${label}：${d} × ${s}`, x: grid.categories, y: grid.series, ordered,
        cells: grid.series.flatMap((y, si) => grid.categories.map((x, ci) => ({ x, y, value: grid.values[si]![ci] ?? null }))),
      };
    case 'sankey':
      return {
        ...base, type: 'sankey', title: chart.title ?? `${label}：${d} → ${s}`,
        links: grid.series.flatMap((target, si) => grid.categories.map((source, ci) => ({ source, target, value: grid.values[si]![ci] ?? null }))),
      };
  }
}

/** The chart a resolved spec draws from a report's content, as plain data. */
export function chartInputOf(chart: ResolvedChart, content: ReportContent): ChartInput {
  const measure = chart.view === 'forecast' ? content.forecast!.measure : chart.view === 'anomalies' ? content.anomalies!.measure : chart.measure;
  const label = measureLabel(content.source, content.measures, measure);
  if (chart.view === 'forecast') return forecastInput(chart, content, label);
  if (chart.view === 'anomalies') return anomaliesInput(chart, content, label);
  return dataInput(chart, content, label);
}

/**
 * Draws a report's charts from its content, in the order asked. Specs are checked
 * again here (the API checks them first): a bad one throws ChartSpecError naming
 * the field. Charts render one after another: each holds the 16 MB font while drawing.
 */
export async function renderReportCharts(specs: ChartSpec[], content: ReportContent, size?: Partial<Size>): Promise<RenderedChart[]> {
  const shape = chartShapeOf(content);
  const problems = checkChartSpecs(specs, shape);
  if (problems.length > 0) throw new ChartSpecError(problems);
  const charts: RenderedChart[] = [];
  for (const [i, spec] of specs.entries()) {
    charts.push(await renderChart(chartInputOf(resolveChart(spec, i, shape).chart!, content), size));
  }
  return charts;
}

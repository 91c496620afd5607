import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkChartSpecs, chartInputOf, chartShapeOf, resolveChart, renderReportCharts, ChartSpecError } from '../../../lib/reports/charts/index.ts';
import type { ChartSpec, ReportContent } from '../../../lib/reports/types.ts';

// A hand-made report: paid revenue by region, segment and month, with a forecast and anomalies.
const regions = ['华东', '华北', '华南'];
const segments = ['企业', '个人'];
const months = ['2025-01-01', '2025-02-01', '2025-03-01'];
const rows = regions.flatMap((region, r) => segments.flatMap((segment, s) => months.map((month, m) => ({ region, segment, month, paid_revenue: (r + 1) * 100 + s * 10 + m, avg_unit_price: 5 }))));
const content: ReportContent = {
  id: 'rpt_test', title: '收入报告', source: 'orders', generatedAt: '2026-01-01T00:00:00Z',
  dimensions: ['region', 'segment', 'month'],
  measures: [{ field: 'revenue', agg: 'sum', as: 'paid_revenue' }, { field: 'unit_price', agg: 'avg', as: 'avg_unit_price' }],
  filters: [],
  data: {
    columns: [
      { name: 'region', type: 'string', role: 'dimension' }, { name: 'segment', type: 'string', role: 'dimension' },
      { name: 'month', type: 'date', role: 'dimension' }, { name: 'paid_revenue', type: 'money', role: 'measure' },
      { name: 'avg_unit_price', type: 'money', role: 'measure' },
    ],
    rows, truncated: false, sql_ms: 1,
  },
  forecast: {
    measure: 'paid_revenue', granularity: 'month', method: 'mstl_ets(12)', level: 0.95,
    history: months.map((period, i) => ({ period, value: 1000 + i * 10 })),
    forecast: ['2025-04-01', '2025-05-01'].map((period, i) => ({ period, value: 1030 + i * 10, lower: 1000, upper: 1080 + i * 20 })),
    backtest: { smape: 4.2, horizon: 2, baseline: { method: 'seasonal_naive', smape: 9.8 } },
  },
  anomalies: {
    measure: 'paid_revenue', granularity: 'day', method: 'mad+iforest',
    series: ['2025-01-01', '2025-01-02', '2025-01-03'].map((period, i) => ({ period, value: i === 1 ? 500 : 100, expected: 100 })),
    anomalies: [{ period: '2025-01-02', value: 500, expected: 100, score: 9, direction: 'spike', reason: 'MAD z=9' }],
  },
};

describe('renderReportCharts', () => {
  test('maps each spec onto the content, with Chinese default titles and exact sums', async (t) => {
    const specs: ChartSpec[] = [
      { type: 'bar' }, { type: 'line', dimension: 'month', series: 'region' }, { type: 'pie', dimension: 'segment' },
      { type: 'heatmap', dimension: 'month', series: 'region' }, { type: 'sankey', dimension: 'region', series: 'segment' },
      { type: 'radar', dimension: 'segment', series: 'region' }, { type: 'line', view: 'forecast' }, { type: 'line', view: 'anomalies', title: '日异常' },
    ];
    const started = performance.now();
    const charts = await renderReportCharts(specs, content);
    t.diagnostic(`${charts.length} charts in ${(performance.now() - started).toFixed(0)} ms`);
    assert.deepEqual(charts.map((c) => c.title), [
      '收入 按 地区', '收入 按 月 和 地区', '收入 按 客户类型', '收入：月 × 地区', '收入：地区 → 客户类型', '收入 按 客户类型 和 地区', '收入 预测（按月）', '日异常',
    ]);
    for (const c of charts) assert.ok(c.png.length > 1000 && c.svg.includes(c.title.replace(/>/g, '&gt;')), c.title);
    // Bars sum the region's rows over segment and month, checked against a sum written here.
    const shape = chartShapeOf(content);
    const bar = chartInputOf(resolveChart({ type: 'bar' }, 0, shape).chart!, content);
    assert.ok(bar.type === 'bar');
    const expected = regions.map((region) => rows.filter((r) => r.region === region).reduce((s, r) => s + r.paid_revenue, 0));
    assert.deepEqual(bar.series[0]!.values, expected);
    assert.ok(charts[3]!.svg.includes('2025-01') && charts[6]!.svg.includes('季节性朴素基线 9.8%'));
    assert.ok(charts[7]!.svg.includes('突增'));
  });

  test('a bad spec throws ChartSpecError naming the field; empty data still draws', async () => {
    await assert.rejects(renderReportCharts([{ type: 'pie', series: 'region' }], content), (e) => e instanceof ChartSpecError && e.problems[0]!.field === 'charts.0.series');
    const [chart] = await renderReportCharts([{ type: 'bar' }], { ...content, data: { ...content.data, rows: [] } });
    assert.ok(chart!.svg.includes('无数据'));
  });
});

describe('checkChartSpecs', () => {
  const report = { dimensions: ['region', 'segment'], measureColumns: ['paid_revenue', 'avg_price'], forecast: false, anomalies: true, aggregations: { paid_revenue: 'sum', avg_price: 'avg' } as const };
  const fields = (specs: unknown[]) => checkChartSpecs(specs as ChartSpec[], report).map((p) => p.field);

  test('accepts good specs, filling defaults', () => {
    assert.deepEqual(fields([{ type: 'bar' }, { type: 'heatmap' }, { type: 'sankey', dimension: 'segment', series: 'region' }, { type: 'line', view: 'anomalies' }, { type: 'radar', measure: 'avg_price', dimension: 'region', series: 'segment' }]), []);
    assert.equal(resolveChart({ type: 'heatmap' }, 0, report).chart?.series, 'segment');
  });

  test('names the field of each problem', () => {
    assert.deepEqual(fields([
      { type: 'donut' }, { type: 'bar', dimension: 'month' }, { type: 'bar', series: 'nope' }, { type: 'bar', series: 'region' },
      { type: 'pie', series: 'segment' }, { type: 'bar', measure: 'sum_x' }, { type: 'line', view: 'forecast' }, { type: 'bar', view: 'anomalies' },
      { type: 'line', view: 'anomalies', series: 'region' }, { type: 'bar', title: 'x'.repeat(201) }, { type: 'bar', measure: 'avg_price' },
    ]), [
      'charts.0.type', 'charts.1.dimension', 'charts.2.series', 'charts.3.series', 'charts.4.series', 'charts.5.measure',
      'charts.6.view', 'charts.7.type', 'charts.8.series', 'charts.9.title', 'charts.10.measure',
    ]);
    assert.deepEqual(checkChartSpecs([{ type: 'heatmap' }], { ...report, dimensions: ['region'] }).map((p) => p.field), ['charts.0.series']);
    assert.deepEqual(fields(Array.from({ length: 13 }, () => ({ type: 'bar' }))), ['charts']);
  });
});

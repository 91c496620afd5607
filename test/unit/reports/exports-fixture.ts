import { Writable } from 'node:stream';
import { Resvg } from '@resvg/resvg-js';
import type { Column, PivotRow, Row } from '../../../lib/analytics/types.ts';
import { CJK_FONT_REGULAR } from '../../../lib/reports/fonts.ts';
import type { RenderedChart, ReportContent } from '../../../lib/reports/types.ts';

/**
 * A report built by hand for the export tests: paid revenue by region (华东,
 * 华南) and month, with a customer column full of spreadsheet formula attempts,
 * a pivot with subtotals and a total, a forecast, anomalies and two charts.
 */

/** Texts a spreadsheet could take for formulas (OWASP CSV injection), plus tab and CR starts. */
export const HOSTILE = ['=HYPERLINK("http://x","y")', '+1', '-2+3', '@SUM(A1)', '\t=1+1', '\r=2+2', '=cmd|\'/C calc\'!A0'];

const columns: Column[] = [
  { name: 'region', type: 'string', role: 'dimension' },
  { name: 'month', type: 'date', role: 'dimension' },
  { name: 'customer', type: 'string', role: 'dimension' },
  { name: 'paid_revenue', type: 'money', role: 'measure' },
  { name: 'count_quantity', type: 'integer', role: 'measure' },
  { name: 'avg_quantity', type: 'number', role: 'measure' },
];

const months = ['2025-01-01', '2025-02-01', '2025-03-01'];
const revenue: Record<string, number[]> = { 华东: [123456.78, 98765.43, 150000.01], 华南: [45678.9, 0.1, 67890.12] };

function dataRows(): Row[] {
  const rows: Row[] = [];
  for (const region of ['华东', '华南']) {
    months.forEach((month, i) => rows.push({
      region, month, customer: `客户${i + 1}`, paid_revenue: revenue[region]![i]!, count_quantity: 1200 + i, avg_quantity: 2.3456 + i,
    }));
  }
  HOSTILE.forEach((customer, i) => rows.push({
    region: '华南', month: '2025-03-01', customer, paid_revenue: i === 0 ? -12.5 : (105 * (i + 1)) / 100, count_quantity: i, avg_quantity: null,
  }));
  return rows;
}

function pivotRows(): PivotRow[] {
  const rows: PivotRow[] = [];
  let grand = [0, 0];
  for (const region of ['华东', '华南']) {
    let sub = [0, 0];
    months.forEach((month, i) => {
      const v = revenue[region]![i]!;
      const split = [Math.round(v * 60) / 100, Math.round(v * 100 - Math.round(v * 60)) / 100];
      rows.push({ kind: 'detail', key: [region, month], depth: 2, cells: [[split[0]!, split[1]!, v]] });
      sub = [sub[0]! + split[0]!, sub[1]! + split[1]!];
    });
    const round = (x: number) => Math.round(x * 100) / 100;
    rows.push({ kind: 'subtotal', key: [region, null], depth: 1, cells: [[round(sub[0]!), round(sub[1]!), round(sub[0]! + sub[1]!)]] });
    grand = [grand[0]! + sub[0]!, grand[1]! + sub[1]!];
  }
  const round = (x: number) => Math.round(x * 100) / 100;
  rows.push({ kind: 'total', key: [null, null], depth: 0, cells: [[round(grand[0]!), round(grand[1]!), round(grand[0]! + grand[1]!)]] });
  // Share of the grand total, cell by cell.
  const all = grand[0]! + grand[1]!;
  return rows.map((row) => ({ ...row, shares: { total: [row.cells[0]!.map((v) => (v ?? 0) / all)] } }));
}

export function reportContent(): ReportContent {
  return {
    id: 'rpt_test',
    title: '测试报告标题：2025 年已付收入',
    source: 'orders',
    generatedAt: '2026-01-02T03:04:05.000Z',
    dimensions: ['region', 'month', 'customer'],
    measures: [
      { field: 'revenue', agg: 'sum', as: 'paid_revenue' },
      { field: 'quantity', agg: 'count' },
      { field: 'quantity', agg: 'avg' },
    ],
    filters: [
      { field: 'status', op: 'eq', value: 'paid' },
      { field: 'ordered_at', op: 'between', value: ['2025-01-01', '2025-12-31'] },
    ],
    data: { columns, rows: dataRows(), truncated: false, sql_ms: 3 },
    pivot: {
      rowFields: [columns[0]!, columns[1]!],
      columnFields: [{ name: 'segment', type: 'string', role: 'dimension' }],
      measures: [columns[3]!],
      columnKeys: [['企业'], ['个人']],
      rows: pivotRows(),
      sql_ms: 2,
    },
    forecast: {
      measure: 'paid_revenue',
      granularity: 'month',
      method: 'mstl_ets(12)',
      level: 0.95,
      backtest: { smape: 4.2, horizon: 3, baseline: { method: 'seasonal_naive', smape: 9.8 } },
      history: months.map((period, i) => ({ period, value: 100000 + i * 1000 })),
      forecast: [
        { period: '2025-04-01', value: 104321.09, lower: 95000.5, upper: 113642.25 },
        { period: '2025-05-01', value: 105432.1, lower: 94000, upper: 116864.2 },
        { period: '2025-06-01', value: 106543.21, lower: 93000, upper: 120086.42 },
      ],
    },
    anomalies: {
      measure: 'paid_revenue',
      granularity: 'day',
      method: 'mad_seasonal+isolation_forest',
      anomalies: [
        { period: '2025-02-14', value: 98765.43, expected: 40000, score: 7.25, direction: 'spike', reason: '季节残差稳健 z 分数 7.3，超过阈值 3.5' },
        { period: '2025-03-08', value: 120.5, expected: 41000, score: 5.5, direction: 'drop', reason: '季节残差稳健 z 分数 -5.5；孤立森林同样标记' },
      ],
      series: [],
    },
  };
}

function chartPng(title: string, color: string): RenderedChart {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="240"><rect width="480" height="240" fill="#fff"/>`
    + `<rect x="40" y="60" width="120" height="160" fill="${color}"/><rect x="200" y="120" width="120" height="100" fill="${color}"/>`
    + `<text x="40" y="36" font-family="Noto Sans Hans" font-size="22">${title}</text></svg>`;
  const png = new Resvg(svg, { font: { fontFiles: [CJK_FONT_REGULAR], loadSystemFonts: false } }).render().asPng();
  return { title, type: 'bar', png, svg, width: 480, height: 240 };
}

export function reportCharts(): RenderedChart[] {
  return [chartPng('地区收入', '#5470c6'), chartPng('月度趋势', '#91cc75')];
}

/** A writable that keeps what it is given; `bytes()` after it finished. */
export function sink(): Writable & { bytes(): Buffer } {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  return Object.assign(out, { bytes: () => Buffer.concat(chunks) });
}

/** Calls of the reports API as a client makes them, for the report suites. */
import assert from 'node:assert/strict';

export type Json = Record<string, any>;

export async function post(apiUrl: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Json, headers: response.headers };
}

export async function getJson(apiUrl: string, path: string) {
  const response = await fetch(`${apiUrl}${path}`);
  return { status: response.status, body: (await response.json()) as Json };
}

/** Polls a report until it leaves queued/running. */
export async function waitForReport(apiUrl: string, id: string, timeoutMs = 120_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await getJson(apiUrl, `/v1/reports/${id}`);
    if (!['queued', 'running'].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`report ${id} still ${body.status} (${body.stage}) after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A bad request: 400, a problem, naming `field` (exactly, or by prefix with `startsWith`). */
export function assertNamesField(result: { status: number; body: Json; headers: Headers }, field: string | RegExp): void {
  assert.equal(result.status, 400, JSON.stringify(result.body));
  assert.match(result.headers.get('content-type') ?? '', /application\/problem\+json/);
  const fields = (result.body.errors as { field: string }[]).map((e) => e.field);
  assert.ok(fields.some((f) => (typeof field === 'string' ? f === field : field.test(f))), `expected ${field} among ${JSON.stringify(result.body.errors)}`);
}

/** The Done-means report: paid revenue by region and month with a pivot, a forecast, anomalies and five charts. */
export const doneMeansReport = {
  title: '已付收入 Paid revenue by region & month, 2024–2025',
  source: 'orders',
  dimensions: ['region', 'segment', 'month'],
  measures: [
    { field: 'revenue', agg: 'sum', as: 'paid_revenue' },
    { field: 'id', agg: 'count', as: 'orders' },
  ],
  filters: [
    { field: 'status', op: 'eq', value: 'paid' },
    { field: 'ordered_at', op: 'between', value: ['2024-01-01', '2025-12-31'] },
  ],
  pivot: { rows: ['region'], columns: ['month'] },
  forecast: { measure: 'paid_revenue', granularity: 'month', trainFrom: '2024-01-01', trainTo: '2025-12-31', horizon: 3 },
  anomalies: { measure: 'orders', granularity: 'day', from: '2024-01-01', to: '2025-12-31' },
  charts: [
    { type: 'heatmap', title: '月度地区热力图', dimension: 'month', series: 'region', measure: 'paid_revenue' },
    { type: 'sankey', title: '地区 → 客户类型', dimension: 'region', series: 'segment', measure: 'paid_revenue' },
    { type: 'radar', title: '地区雷达', dimension: 'region', series: 'segment', measure: 'orders' },
    { type: 'line', title: '收入预测', view: 'forecast', measure: 'paid_revenue' },
  ],
  formats: ['xlsx', 'pdf', 'csv'],
};

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadGeneratedErp } from '../../../lib/erp/generate-load.ts';
import { resolveRelativeRange, todayIn } from '../../../lib/reports/relative-ranges.ts';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.ts';
import { assertNamesField, getJson, post, waitForReport, type Json } from './report-helpers.ts';

const template = {
  name: '月度已付收入 Monthly paid revenue',
  description: 'Paid revenue by region and month over a relative period, with the anomalous days.',
  parameters: [
    { name: 'period', type: 'relative_range', default: 'last_year' },
    { name: 'status', type: 'string', default: 'paid' },
  ],
  spec: {
    title: 'Paid revenue',
    source: 'orders',
    dimensions: ['region', 'month'],
    measures: [{ field: 'revenue', agg: 'sum', as: 'paid_revenue' }],
    filters: [
      { field: 'status', op: 'eq', value: { param: 'status' } },
      { field: 'ordered_at', op: 'between', value: { param: 'period' } },
    ],
    anomalies: { measure: 'paid_revenue', granularity: 'day', from: { param: 'period', part: 'from' }, to: { param: 'period', part: 'to' } },
    formats: ['csv', 'json'],
  },
};

test('relative ranges resolve to whole calendar periods from the day in the analytics time zone', () => {
  assert.equal(todayIn('Asia/Shanghai', new Date('2026-11-30T20:00:00Z')), '2026-12-01');
  assert.equal(todayIn('UTC', new Date('2026-11-30T20:00:00Z')), '2026-11-30');
  const on = (day: string) => (name: Parameters<typeof resolveRelativeRange>[0]) => resolveRelativeRange(name, day);
  const nov30 = on('2026-11-30');
  assert.deepEqual(nov30('last_7_days'), ['2026-11-23', '2026-11-29']);
  assert.deepEqual(nov30('last_30_days'), ['2026-10-31', '2026-11-29']);
  assert.deepEqual(nov30('last_month'), ['2026-10-01', '2026-10-31']);
  assert.deepEqual(nov30('last_quarter'), ['2026-07-01', '2026-09-30']);
  assert.deepEqual(nov30('this_quarter'), ['2026-10-01', '2026-12-31']);
  assert.deepEqual(nov30('last_year'), ['2025-01-01', '2025-12-31']);
  assert.deepEqual(nov30('year_to_date'), ['2026-01-01', '2026-11-30']);
  const jan15 = on('2026-01-15');
  assert.deepEqual(jan15('last_month'), ['2025-12-01', '2025-12-31']);
  assert.deepEqual(jan15('last_quarter'), ['2025-10-01', '2025-12-31']);
  assert.deepEqual(on('2024-03-10')('last_month'), ['2024-02-01', '2024-02-29']);
  assert.deepEqual(on('2026-03-01')('last_7_days'), ['2026-02-22', '2026-02-28']);
});

describe('report templates', () => {
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform('pglite');
    await loadGeneratedErp(t.platform.db, { orders: 5_000, seed: 'reports-templates' });
  });
  after(async () => t?.close());
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${t.api.url}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Json, headers: response.headers };
  };

  test('create, read, list, replace, delete; broken templates are refused naming the field', async () => {
    const created = await post(t.api.url, '/v1/report-templates', template);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.id, /^tpl_[0-9a-f]{24}$/);
    assert.equal(created.headers.get('location'), `/v1/report-templates/${created.body.id}`);
    assert.deepEqual(created.body.spec, template.spec);
    assert.equal((await post(t.api.url, '/v1/report-templates', template)).status, 409, 'the name is taken');
    const read = await getJson(t.api.url, `/v1/report-templates/${created.body.id}`);
    assert.deepEqual(read.body, created.body);
    const listed = await getJson(t.api.url, '/v1/report-templates');
    assert.deepEqual(listed.body.items.map((i: Json) => i.id), [created.body.id]);
    const replaced = await call('PUT', `/v1/report-templates/${created.body.id}`, { ...template, description: '按地区' });
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
    assert.equal(replaced.body.description, '按地区');

    const broken = (change: (t: Json) => void) => {
      const copy = structuredClone({ ...template, name: 'broken' }) as Json;
      change(copy);
      return post(t.api.url, '/v1/report-templates', copy);
    };
    assertNamesField(await broken((c) => (c.spec.filters[0].value = { param: 'nope' })), 'spec.filters.0.value');
    assertNamesField(await broken((c) => (c.spec.dimensions = ['planet'])), 'spec.dimensions.0');
    assertNamesField(await broken((c) => (c.parameters[0].default = 'last_century')), 'parameters.period');
    assertNamesField(await broken((c) => (c.parameters[1].type = 'colour')), 'parameters.1.type');
    assertNamesField(await broken((c) => (c.spec.anomalies.from = { param: 'status', part: 'from' })), 'spec.anomalies.from');

    const gone = await post(t.api.url, '/v1/report-templates', { ...template, name: 'short-lived' });
    assert.equal((await call('DELETE', `/v1/report-templates/${gone.body.id}`)).status, 204);
    assert.equal((await getJson(t.api.url, `/v1/report-templates/${gone.body.id}`)).status, 404);
    assert.equal((await call('DELETE', `/v1/report-templates/${gone.body.id}`)).status, 404);
  });

  test('a report from a template resolves its relative range on the day it is started, and keeps spec and parameters', async () => {
    const { body: listed } = await getJson(t.api.url, '/v1/report-templates');
    const templateId = listed.items[0].id as string;
    assertNamesField(await post(t.api.url, '/v1/reports', { templateId, parameters: { period: 'last_century' } }), 'parameters.period');
    assertNamesField(await post(t.api.url, '/v1/reports', { templateId, parameters: { colour: 'red' } }), 'parameters.colour');
    assertNamesField(await post(t.api.url, '/v1/reports', { templateId: `tpl_${'0'.repeat(24)}` }), 'templateId');

    const started = await post(t.api.url, '/v1/reports', { templateId, parameters: { period: 'last_year' }, title: '2025 已付收入', formats: ['csv'] });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const report = await waitForReport(t.api.url, started.body.id);
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    assert.equal(report.templateId, templateId);
    assert.deepEqual(report.parameters, { period: 'last_year', status: 'paid' });
    const [year] = todayIn('UTC').split('-').map(Number) as [number];
    const range = [`${year - 1}-01-01`, `${year - 1}-12-31`];
    const { rows } = await t.platform.db.query<{ spec: Json }>('select spec from reports where id = $1', [report.id]);
    assert.deepEqual(rows[0]!.spec.filters[1], { field: 'ordered_at', op: 'between', value: range });
    assert.deepEqual([rows[0]!.spec.anomalies.from, rows[0]!.spec.anomalies.to], range);

    // The file's total is the year's paid revenue by independent SQL, to the cent.
    const csv = Buffer.from(await (await fetch(`${t.api.url}${report.artifacts[0].url}`)).arrayBuffer()).toString('utf8');
    const [header, ...lines] = csv.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
    const at = header!.split(',').indexOf('paid_revenue');
    const cents = lines.reduce((sum, line) => sum + BigInt(line.split(',')[at]!.replace('.', '')), 0n);
    const expected = await t.platform.db.query<{ cents: string }>(
      `select coalesce(round(sum(quantity * unit_price) * 100), 0)::bigint::text as cents from orders
       where status = 'paid' and ordered_at >= $1::timestamptz and ordered_at < $2::timestamptz`,
      [`${range[0]}T00:00:00Z`, `${year}-01-01T00:00:00Z`],
    );
    assert.equal(cents.toString(), expected.rows[0]!.cents);
  });
});

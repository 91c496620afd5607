import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.ts';
import { assertNamesField, doneMeansReport, type Json } from './report-helpers.ts';

const operatorKey = `ak_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;

/**
 * What is refused before a report starts, and who may see reports. No worker: a
 * report accepted here stays queued, which is what the 409 of an artifact needs.
 */
describe('reports: bad input, access, unknown ids', () => {
  let t: TestPlatform;
  const call = (key = operatorKey) => async (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${key}`);
    if (init.json !== undefined) headers.set('content-type', 'application/json');
    const response = await fetch(`${t.api.url}${path}`, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as Json };
  };
  const operator = call();
  const submit = (body: unknown, headers: Record<string, string> = {}) => operator('/v1/reports', { method: 'POST', json: body, headers });
  const variant = (change: (spec: Json) => void) => {
    const spec = structuredClone(doneMeansReport) as Json;
    change(spec);
    return submit(spec);
  };

  before(async () => {
    t = await startTestPlatform('pglite', { withWorker: false, env: { AUTH: 'on', ADMIN_API_KEY: operatorKey } });
  });
  after(async () => t?.close());

  test('each mistake is a 400 naming its field, and nothing is recorded', async () => {
    assertNamesField(await variant((s) => (s.dimensions = ['region', 'planet'])), 'dimensions.1');
    assertNamesField(await variant((s) => (s.source = 'payroll')), 'source');
    assertNamesField(await variant((s) => (s.pivot.columns = ['category'])), 'pivot.columns.0');
    assertNamesField(await variant((s) => (s.charts[1].series = 'category')), /^charts\.1\./);
    assertNamesField(await variant((s) => (s.formats = [])), 'formats');
    assertNamesField(await variant((s) => (s.formats = ['xlsx', 'xlsx'])), 'formats');
    assertNamesField(await variant((s) => (s.formats = ['docx'])), 'formats.0');
    assertNamesField(await variant((s) => (s.forecast.horizon = 100_000)), 'forecast.horizon');
    assertNamesField(await variant((s) => (s.forecast.measure = 'profit')), 'forecast.measure');
    assertNamesField(await variant((s) => (s.forecast.trainFrom = '2025-12-01')), 'forecast.trainFrom');
    assertNamesField(await variant((s) => (s.anomalies.from = '1900-01-01')), 'anomalies.from');
    assertNamesField(await variant((s) => (s.anomalies.to = '2025-02-30')), 'anomalies.to');
    assertNamesField(await variant((s) => (s.measures[0].agg = 'median')), 'measures.0.agg');
    assertNamesField(await variant((s) => (s.filters[0].op = 'like')), 'filters.0.op');
    assertNamesField(await variant((s) => (s.title = 'x'.repeat(201))), 'title');
    assertNamesField(await variant((s) => (s.title = 'a\u0000b')), 'title');
    assertNamesField(await variant((s) => (s.extra = 1)), /^\(body\)$|^extra$/);
    // SQL fragments in names are refused by their shape; in values they are data (and match nothing).
    assertNamesField(await variant((s) => (s.dimensions = ['region; drop table orders'])), 'dimensions.0');
    assertNamesField(await variant((s) => (s.measures[0].as = 'x"--')), 'measures.0.as');
    assertNamesField(await variant((s) => (s.filters[0].field = "status' or '1'='1")), 'filters.0.field');
    assertNamesField(await variant((s) => (s.measures[1].as = 'paid_revenue')), 'measures.1.as');
    const { rows } = await t.platform.db.query<{ n: number }>('select count(*)::int as n from reports');
    assert.equal(rows[0]!.n, 0);
  });

  test('an accepted report: its files are 409 until ready, unknown formats and ids 404; Idempotency-Key repeats are one report', async () => {
    const first = await submit(doneMeansReport, { 'idempotency-key': 'monthly-2025-run-1' });
    assert.equal(first.status, 202, JSON.stringify(first.body));
    const again = await submit(doneMeansReport, { 'idempotency-key': 'monthly-2025-run-1' });
    assert.equal(again.status, 202);
    assert.equal(again.body.id, first.body.id);
    const other = await submit({ ...doneMeansReport, title: 'another' }, { 'idempotency-key': 'monthly-2025-run-1' });
    assert.equal(other.status, 422);
    assert.equal(other.body.code, 'E_IDEMPOTENCY_KEY_REUSED');
    const id = first.body.id as string;
    const view = await operator(`/v1/reports/${id}`);
    assert.equal(view.status, 200);
    assert.equal(view.body.status, 'queued');
    assert.deepEqual(view.body.artifacts, []);
    assert.equal((await operator(`/v1/reports/${id}/artifacts/xlsx`)).status, 409);
    assert.equal((await operator(`/v1/reports/${id}/artifacts/json`)).status, 404, 'a format the report did not ask for');
    assert.equal((await operator(`/v1/reports/${id}/artifacts/docx`)).status, 404);
    assert.equal((await operator(`/v1/reports/rpt_${'0'.repeat(24)}`)).status, 404);
    assert.equal((await operator(`/v1/reports/rpt_${'0'.repeat(24)}/artifacts/pdf`)).status, 404);
    assert.equal((await operator('/v1/reports/not-an-id')).status, 400);
    assert.equal((await operator(`/v1/reports/rpt_${'0'.repeat(24)}/cancel`, { method: 'POST' })).status, 404);
    assertNamesField(await submit(doneMeansReport, { 'idempotency-key': 'ü' }), 'Idempotency-Key');
  });

  test('another tenant finds nothing (404); a key without the reports scope is refused (403)', async () => {
    const newKey = async (body: object) => (await operator('/v1/api-keys', { method: 'POST', json: body })).body as { key: string };
    const outsider = await newKey({ name: 'outsider', tenant: 'other-co', scopes: ['admin'] });
    const reader = await newKey({ name: 'reader', scopes: ['documents:read'] });
    const listed = await operator('/v1/reports');
    const id = listed.body.items[0].id as string;
    assert.equal((await call(outsider.key)(`/v1/reports/${id}`)).status, 404);
    assert.equal((await call(outsider.key)('/v1/reports', { method: 'POST', json: doneMeansReport })).status, 404);
    assert.equal((await call(outsider.key)('/v1/report-templates')).status, 404);
    assert.equal((await call(reader.key)(`/v1/reports/${id}`)).status, 403);
    assert.equal((await call(reader.key)('/v1/reports', { method: 'POST', json: doneMeansReport })).status, 403);
  });
});

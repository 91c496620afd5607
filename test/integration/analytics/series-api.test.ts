/**
 * POST /v1/analytics/forecast and /anomalies through the real API (PGlite; the
 * series SQL runs on both engines in series.test.ts): answers in the issue's
 * shape, cached, and every bad input a 400 problem naming the field, never a 500.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadGeneratedErp } from '../../../lib/erp/generate-load.ts';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.ts';

const forecastBody = {
  source: 'orders',
  measure: { field: 'id', agg: 'count' },
  granularity: 'week',
  filters: [{ field: 'status', op: 'eq', value: 'paid' }],
  trainFrom: '2025-01-01',
  trainTo: '2025-12-31',
  horizon: 4,
};
const anomaliesBody = { source: 'orders', measure: { field: 'id', agg: 'count' }, granularity: 'day', filters: [], from: '2025-01-01', to: '2025-12-31' };

describe('forecast and anomalies API', () => {
  let t: TestPlatform;
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${t.api.url}/v1/analytics/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  before(async () => {
    t = await startTestPlatform('pglite', { withWorker: false });
    await loadGeneratedErp(t.platform.db, { orders: 4_000, seed: 'series-api', days: 365 });
  });
  after(() => t?.close());

  test('a forecast in the issue’s shape, the same answer again from the cache', async () => {
    const first = await post('forecast', forecastBody);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const { forecast, method, backtest, history, level } = first.body;
    assert.deepEqual(forecast.map((f: { period: string }) => f.period), ['2026-01-05', '2026-01-12', '2026-01-19', '2026-01-26']);
    for (const f of forecast) assert.ok(f.lower <= f.value && f.value <= f.upper && f.lower >= 0, JSON.stringify(f));
    assert.equal(method, 'ets'); // 53 weeks: too few for a yearly season
    assert.equal(backtest.horizon, 4);
    assert.equal(backtest.baseline.method, 'seasonal_naive');
    assert.equal(typeof backtest.smape, 'number');
    assert.equal(history[0].period, '2024-12-30', 'the week holding trainFrom, from its Monday');
    assert.equal(level, 0.95);
    assert.deepEqual((await post('forecast', forecastBody)).body, first.body);
  });

  test('anomalies with reasons; the series only when asked', async () => {
    const plain = await post('anomalies', anomaliesBody);
    assert.equal(plain.status, 200, JSON.stringify(plain.body));
    assert.ok(Array.isArray(plain.body.anomalies) && typeof plain.body.method === 'string');
    assert.equal(plain.body.series, undefined);
    for (const a of plain.body.anomalies) {
      assert.deepEqual(Object.keys(a).sort(), ['direction', 'expected', 'period', 'reason', 'score', 'value']);
      assert.match(a.reason, /vs expected/);
    }
    const withSeries = await post('anomalies', { ...anomaliesBody, series: true });
    assert.equal(withSeries.body.series.length, 365);
    assert.deepEqual(withSeries.body.anomalies, plain.body.anomalies);
  });

  test('a filter matching nothing: no anomalies and a forecast of 0, never every row', async () => {
    const nothing = [{ field: 'region', op: 'eq', value: '火星' }];
    const anomalies = await post('anomalies', { ...anomaliesBody, filters: nothing, series: true });
    assert.equal(anomalies.status, 200, JSON.stringify(anomalies.body));
    assert.deepEqual(anomalies.body.anomalies, []);
    assert.ok(anomalies.body.series.every((p: { value: number }) => p.value === 0));
    const forecast = await post('forecast', { ...forecastBody, filters: nothing });
    assert.equal(forecast.status, 200, JSON.stringify(forecast.body));
    assert.ok(forecast.body.forecast.every((f: { value: number; lower: number }) => f.value === 0 && f.lower === 0));
  });

  const bad: [string, 'forecast' | 'anomalies', Record<string, unknown>, string][] = [
    ['horizon 0', 'forecast', { ...forecastBody, horizon: 0 }, 'horizon'],
    ['horizon 10000', 'forecast', { ...forecastBody, horizon: 10_000 }, 'horizon'],
    ['horizon as text', 'forecast', { ...forecastBody, horizon: '4' }, 'horizon'],
    ['trainFrom after trainTo', 'forecast', { ...forecastBody, trainFrom: '2025-12-31', trainTo: '2025-01-01' }, 'trainFrom'],
    ['no such date', 'forecast', { ...forecastBody, trainTo: '2025-02-30' }, 'trainTo'],
    ['an absurd range by year', 'forecast', { ...forecastBody, granularity: 'year', trainFrom: '1000-01-01' }, 'trainFrom'],
    ['a range over 20 years', 'forecast', { ...forecastBody, granularity: 'year', trainFrom: '1950-01-01' }, 'trainFrom'],
    ['too few periods', 'forecast', { ...forecastBody, granularity: 'day', trainFrom: '2025-12-01', trainTo: '2025-12-10' }, 'trainFrom'],
    ['level out of range', 'forecast', { ...forecastBody, level: 0.2 }, 'level'],
    ['granularity weekday', 'forecast', { ...forecastBody, granularity: 'weekday' }, 'granularity'],
    ['an unknown measure field', 'forecast', { ...forecastBody, measure: { field: 'nope', agg: 'sum' } }, 'measure.field'],
    ['an aggregation text cannot take', 'forecast', { ...forecastBody, measure: { field: 'region', agg: 'sum' } }, 'measure.agg'],
    ['the max of a text field (no number per period)', 'anomalies', { ...anomaliesBody, measure: { field: 'customer_id', agg: 'max' } }, 'measure.agg'],
    ['an unknown filter field', 'forecast', { ...forecastBody, filters: [{ field: 'nope', op: 'eq', value: 1 }] }, 'filters.0.field'],
    ['SQL in the source', 'forecast', { ...forecastBody, source: 'orders; drop table orders' }, 'source'],
    ['a source without time', 'forecast', { ...forecastBody, source: 'products', measure: { field: 'unit_price', agg: 'avg' } }, 'source'],
    ['an unknown source', 'anomalies', { ...anomaliesBody, source: 'invoices' }, 'source'],
    ['from after to', 'anomalies', { ...anomaliesBody, from: '2025-12-31', to: '2025-01-01' }, 'from'],
    ['an average over no rows at all', 'forecast', { ...forecastBody, measure: { field: 'revenue', agg: 'avg' }, filters: [{ field: 'region', op: 'eq', value: '火星' }] }, 'filters'],
    ['an unknown property', 'anomalies', { ...anomaliesBody, horizon: 3 }, '(body)'],
  ];
  for (const [name, path, body, field] of bad) {
    test(`${path}: ${name} → 400 naming ${field}`, async () => {
      const { status, body: problem } = await post(path, body);
      assert.equal(status, 400, JSON.stringify(problem));
      assert.ok(
        problem.errors?.some((e: { field: string }) => e.field === field),
        `${field} named in ${JSON.stringify(problem.errors)}`,
      );
    });
  }
});

/**
 * Forecasts and anomalies over a generated ERP on both database engines: the
 * series each is built on checked against the test's own SQL, the generator's
 * outage day found among the anomalies (and no ordinary weekend), and a
 * monthly paid-revenue forecast answered with its backtest.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../../lib/db/index.ts';
import { detectAnomalies } from '../../../lib/analytics/anomalies.ts';
import { createAnalyticsEngine } from '../../../lib/analytics/engine.ts';
import { forecastSeries } from '../../../lib/analytics/forecast.ts';
import type { AnalyticsEngine } from '../../../lib/analytics/port.ts';
import { loadSeries } from '../../../lib/analytics/series.ts';
import type { Anomaly as ErpAnomaly } from '../../../lib/erp/generate.ts';
import { loadGeneratedErp } from '../../../lib/erp/generate-load.ts';
import { engines, openTestDatabase } from '../../helpers/platform.ts';

const DAY_MS = 86_400_000;
const countOrders = { source: 'orders', measure: { field: 'id', agg: 'count' as const }, granularity: 'day' as const, filters: [] };

/** Days the generator makes unusual on purpose (lib/erp/generate.ts dayWeight): 618, 双十一, the National Day week. */
function festival(day: string): boolean {
  const [, m, d] = day.split('-').map(Number) as [number, number, number];
  return (m === 6 && d === 18) || (m === 11 && d === 11) || (m === 10 && d <= 7);
}

for (const engineName of engines) {
  describe(`forecasts and anomalies on ${engineName}`, () => {
    let db: Database;
    let close: () => Promise<void>;
    let engine: AnalyticsEngine;
    let injected: ErpAnomaly[];

    before(async () => {
      ({ db, close } = await openTestDatabase(engineName));
      ({ anomalies: injected } = await loadGeneratedErp(db, { orders: 20_000, seed: 'series-test', days: 730 }));
      engine = createAnalyticsEngine(db, { statementTimeoutMs: 30_000, maxCost: 2e7, timeZone: 'UTC' });
    });
    after(() => close());

    test('the daily series is every day of the range, counted as the test’s SQL counts, empty days 0', async () => {
      // A week before the history starts: those days have no orders and must be 0, not missing.
      const series = await loadSeries(engine, { ...countOrders, from: '2023-12-25', to: '2025-12-31' }, { from: 'from', to: 'to' });
      const { rows } = await db.query<{ day: string; n: number }>(
        `select to_char(ordered_at at time zone 'UTC', 'YYYY-MM-DD') as day, count(*)::int as n from orders group by 1`,
      );
      const expected = new Map(rows.map((r) => [r.day, Number(r.n)]));
      assert.equal(series.periods.length, 738);
      series.periods.forEach((day, i) => {
        assert.equal(day, new Date(Date.parse('2023-12-25T00:00:00Z') + i * DAY_MS).toISOString().slice(0, 10));
        assert.equal(series.values[i], expected.get(day) ?? 0, day);
      });
      // The week before, and any day of the history without an order (the outage can leave none).
      assert.equal(series.filled, series.periods.filter((day) => !expected.has(day)).length);
      assert.ok(series.filled >= 7);
    });

    test('daily order counts: the outage day is found as a drop, no ordinary weekend is flagged', async () => {
      // 730 days ending 2025-12-31: the history starts on 2 January 2024.
      const result = await detectAnomalies(engine, { ...countOrders, from: '2024-01-02', to: '2025-12-31' });
      const outage = injected.find((a) => a.kind === 'outage')!;
      for (const a of result.anomalies) console.log(`${engineName}: ${a.period} ${a.direction} score ${a.score}: ${a.reason}`);
      const found = result.anomalies.find((a) => a.period === outage.date);
      assert.ok(found, `the outage on ${outage.date} is flagged`);
      assert.equal(found.direction, 'drop');
      assert.match(found.reason, /robust z −\d+\.\d on the weekday-adjusted residual/);
      const planted = new Set(injected.flatMap((a) => ('date' in a ? [a.date] : [])));
      const weekends = result.anomalies.filter((a) => [0, 6].includes(new Date(`${a.period}T00:00:00Z`).getUTCDay()) && !festival(a.period) && !planted.has(a.period));
      assert.deepEqual(weekends, [], 'ordinary weekends are not anomalies');
      assert.equal(result.series.length, 730);
      assert.match(result.method, /robust_mad.*mstl\(7\)\+ets/);
    });

    test('monthly paid revenue: a forecast for the next quarter, with its backtest, on the history the SQL sums', async () => {
      const result = await forecastSeries(engine, {
        source: 'orders',
        measure: { field: 'revenue', agg: 'sum' },
        granularity: 'month',
        filters: [{ field: 'status', op: 'eq', value: 'paid' }],
        trainFrom: '2024-01-01',
        trainTo: '2025-12-31',
        horizon: 3,
      });
      console.log(`${engineName}: ${result.method}; backtest sMAPE ${result.backtest.smape}% vs seasonal naive ${result.backtest.baseline.smape}%; ${JSON.stringify(result.forecast)}`);
      const { rows } = await db.query<{ month: string; revenue: string }>(
        `select to_char(date_trunc('month', ordered_at at time zone 'UTC'), 'YYYY-MM-DD') as month, sum(quantity * unit_price)::text as revenue
           from orders where status = 'paid' group by 1 order by 1`,
      );
      assert.deepEqual(result.history, rows.map((r) => ({ period: r.month, value: Number(r.revenue) })));
      assert.deepEqual(result.forecast.map((f) => f.period), ['2026-01-01', '2026-02-01', '2026-03-01']);
      assert.equal(result.method, 'mstl(12)+ets');
      assert.equal(result.level, 0.95);
      for (const f of result.forecast) assert.ok(f.lower >= 0 && f.lower <= f.value && f.value <= f.upper, JSON.stringify(f));
      assert.equal(result.backtest.horizon, 3);
      // 21 months left to fit on once 3 are held out: too few for a yearly season, so the backtest's model is plain ETS.
      assert.equal(result.backtest.method, 'ets');
      assert.ok(result.backtest.smape >= 0 && result.backtest.baseline.smape >= 0);
      assert.equal(result.backtest.baseline.method, 'seasonal_naive');
    });

    test('daily orders: the forecast beats seasonal naive in its backtest', async () => {
      const result = await forecastSeries(engine, { ...countOrders, trainFrom: '2024-01-01', trainTo: '2025-11-30', horizon: 28 });
      console.log(`${engineName}: daily orders ${result.method}; backtest sMAPE ${result.backtest.smape}% vs seasonal naive ${result.backtest.baseline.smape}%`);
      assert.equal(result.method, 'mstl(7)+ets');
      assert.equal(result.forecast[0]!.period, '2025-12-01');
      assert.ok(result.backtest.smape < result.backtest.baseline.smape, JSON.stringify(result.backtest));
    });
  });
}

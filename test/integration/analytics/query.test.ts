/**
 * The query engine on both database engines: every aggregation by several
 * dimensions (joins, grains in Asia/Shanghai) against the orders recomputed in
 * JS, the example against hand-written SQL, sorting, truncation, and
 * drill-down pages.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../../lib/db/index.ts';
import { createAnalyticsEngine } from '../../../lib/analytics/engine.ts';
import type { AnalyticsEngine } from '../../../lib/analytics/port.ts';
import type { Measure } from '../../../lib/analytics/types.ts';
import { engines, openTestDatabase } from '../../helpers/platform.ts';
import { loadCompany, TIME_ZONE, type RawOrder } from './query-fixtures.ts';
import { assertAnswer } from './query-expected.ts';

const DIMENSION_SETS = [[], ['region'], ['category', 'month'], ['week'], ['weekday', 'segment'], ['status', 'quarter', 'year'], ['day']];

/** Every aggregation, each on the fields that take it: money, integer, time and text. */
const MEASURES: Measure[] = [
  { field: 'revenue', agg: 'sum' },
  { field: 'quantity', agg: 'sum' },
  { field: 'id', agg: 'count' },
  { field: 'customer_id', agg: 'count' },
  { field: 'revenue', agg: 'avg' },
  { field: 'quantity', agg: 'avg' },
  { field: 'unit_price', agg: 'min' },
  { field: 'revenue', agg: 'max' },
  { field: 'ordered_at', agg: 'min', as: 'first_order' },
  { field: 'ordered_at', agg: 'max', as: 'last_order' },
  { field: 'customer_id', agg: 'count_distinct', as: 'customers' },
  { field: 'revenue', agg: 'p50' },
  { field: 'revenue', agg: 'p90' },
  { field: 'quantity', agg: 'p95' },
  { field: 'unit_price', agg: 'p99' },
];

for (const engine of engines) {
  describe(`analytics query on ${engine}`, () => {
    let db: Database;
    let close: () => Promise<void>;
    let orders: RawOrder[];
    let analytics: AnalyticsEngine;

    before(async () => {
      ({ db, close } = await openTestDatabase(engine));
      orders = await loadCompany(db);
      analytics = createAnalyticsEngine(db, { statementTimeoutMs: 30_000, maxCost: 2e7, timeZone: TIME_ZONE });
    });
    after(() => close());

    for (const dimensions of DIMENSION_SETS) {
      test(`every aggregation by [${dimensions.join(', ')}] matches the orders recomputed`, async () => {
        // Twelve measures at most per query: two halves.
        for (const measures of [MEASURES.slice(0, 8), MEASURES.slice(8)]) {
          const result = await analytics.query({ source: 'orders', dimensions, measures, filters: [], sort: [], limit: 50_000 });
          assertAnswer(result, orders, dimensions, measures, `[${dimensions}]`);
          assert.deepEqual(result.columns.map((c) => c.role), [...dimensions.map(() => 'dimension'), ...measures.map(() => 'measure')]);
        }
      });
    }

    test('column types: money, integer, number, date, timestamp', async () => {
      const result = await analytics.query({ source: 'orders', dimensions: ['month', 'weekday'], measures: MEASURES.slice(0, 12), filters: [], sort: [], limit: 1 });
      const types = Object.fromEntries(result.columns.map((c) => [c.name, c.type]));
      assert.deepEqual(types, {
        month: 'date', weekday: 'integer', sum_revenue: 'money', sum_quantity: 'integer', count_id: 'integer', count_customer_id: 'integer',
        avg_revenue: 'money', avg_quantity: 'number', min_unit_price: 'money', max_revenue: 'money', first_order: 'timestamp',
        last_order: 'timestamp', customers: 'integer', p50_revenue: 'money',
      });
    });

    test("the issue's example equals hand-written SQL: paid revenue by region and month of 2025, biggest first", async () => {
      const result = await analytics.query({
        source: 'orders',
        dimensions: ['region', 'month'],
        measures: [{ field: 'revenue', agg: 'sum', as: 'paid_revenue' }],
        filters: [
          { field: 'status', op: 'eq', value: 'paid' },
          { field: 'ordered_at', op: 'between', value: ['2025-01-01', '2025-12-31'] },
        ],
        sort: [{ field: 'paid_revenue', dir: 'desc' }],
        limit: 1000,
      });
      const { rows } = await db.query<{ region: string | null; month: string; paid_revenue: string }>(
        `select c.region, to_char(o.ordered_at at time zone 'Asia/Shanghai', 'YYYY-MM') || '-01' as month,
                sum(o.quantity * o.unit_price)::text as paid_revenue
           from orders o left join customers c on c.id = o.customer_id
          where o.status = 'paid' and (o.ordered_at at time zone 'Asia/Shanghai')::date between '2025-01-01' and '2025-12-31'
          group by 1, 2`,
      );
      const want = new Map(rows.map((r) => [`${r.region}|${r.month}`, Number(r.paid_revenue)]));
      assert.equal(result.rows.length, want.size);
      for (const row of result.rows) assert.equal(row.paid_revenue, want.get(`${row.region}|${row.month}`), `${row.region} ${row.month}`);
      const revenues = result.rows.map((r) => r.paid_revenue as number);
      assert.deepEqual(revenues, [...revenues].sort((a, b) => b - a), 'biggest first');
      assert.ok(result.rows.every((r) => (r.month as string) >= '2025-01-01' && (r.month as string) <= '2025-12-01'));
      assert.ok(result.sql_ms >= 0);
    });

    test('text min and max follow the database; default order is the dimensions ascending', async () => {
      const result = await analytics.query({ source: 'orders', dimensions: ['month'], measures: [{ field: 'region', agg: 'min' }, { field: 'region', agg: 'max' }], filters: [], sort: [], limit: 100 });
      const { rows } = await db.query<{ m: string; lo: string; hi: string }>(
        `select to_char(date_trunc('month', o.ordered_at at time zone 'Asia/Shanghai'), 'YYYY-MM-DD') as m, min(c.region) as lo, max(c.region) as hi
           from orders o left join customers c on c.id = o.customer_id group by 1 order by 1 nulls last`,
      );
      assert.deepEqual(result.rows.map((r) => [r.month, r.min_region, r.max_region]), rows.map((r) => [r.m, r.lo, r.hi]));
    });

    test('limit truncates and says so; one more group than the limit is not sent', async () => {
      const all = await analytics.query({ source: 'orders', dimensions: ['day'], measures: [{ field: 'id', agg: 'count' }], filters: [], sort: [], limit: 50_000 });
      const some = await analytics.query({ source: 'orders', dimensions: ['day'], measures: [{ field: 'id', agg: 'count' }], filters: [], sort: [], limit: 10 });
      assert.equal(all.truncated, false);
      assert.equal(some.truncated, true);
      assert.deepEqual(some.rows, all.rows.slice(0, 10));
      const exact = await analytics.query({ source: 'orders', dimensions: ['day'], measures: [{ field: 'id', agg: 'count' }], filters: [], sort: [], limit: all.rows.length });
      assert.equal(exact.truncated, false);
    });

    test('other datasets: customers by region and month of joining, products by category', async () => {
      const customers = await analytics.query({ source: 'customers', dimensions: ['region'], measures: [{ field: 'id', agg: 'count' }], filters: [], sort: [], limit: 100 });
      const { rows } = await db.query<{ region: string | null; n: number }>('select region, count(id)::int as n from customers group by region');
      assert.deepEqual(new Map(customers.rows.map((r) => [r.region, r.count_id])), new Map(rows.map((r) => [r.region, r.n])));
      const products = await analytics.query({ source: 'products', dimensions: ['category'], measures: [{ field: 'unit_price', agg: 'sum' }], filters: [], sort: [], limit: 100 });
      const sums = await db.query<{ category: string; s: string }>('select category, sum(unit_price)::text as s from products group by category');
      assert.deepEqual(new Map(products.rows.map((r) => [r.category, r.sum_unit_price])), new Map(sums.rows.map((r) => [r.category, Number(r.s)])));
    });

    test('drill-down pages through every matching row in key order, once each', async () => {
      const filters = [{ field: 'region', op: 'eq' as const, value: '华东' }, { field: 'month', op: 'eq' as const, value: '2025-03-01' }];
      const seen: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 100; page++) {
        const result = await analytics.rows({ source: 'orders', filters, fields: ['id', 'revenue', 'ordered_at', 'region'], limit: 37, ...(after ? { after } : {}) });
        assert.deepEqual(result.columns.map((c) => c.name), ['id', 'revenue', 'ordered_at', 'region']);
        seen.push(...result.rows.map((r) => r.id as string));
        if (result.next === null) break;
        assert.equal(result.rows.length, 37);
        after = result.next;
      }
      const { rows } = await db.query<{ id: string }>(
        `select o.id from orders o join customers c on c.id = o.customer_id
          where c.region = '华东' and to_char(o.ordered_at at time zone 'Asia/Shanghai', 'YYYY-MM') = '2025-03' order by o.id`,
      );
      assert.ok(rows.length > 37, 'more than one page');
      assert.deepEqual(seen, rows.map((r) => r.id));
    });
  });
}

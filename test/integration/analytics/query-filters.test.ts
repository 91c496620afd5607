/**
 * Filters on both database engines: every operator, NULLs, empty lists, whole
 * days in the time zone, LIKE wildcards, each against a JS predicate over the raw
 * orders; SQL in every field refused or inert; the cost ceiling and the statement
 * timeout answered with their limit, and the database serving afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../../lib/db/index.ts';
import { createAnalyticsEngine } from '../../../lib/analytics/engine.ts';
import { AnalyticsInputError, AnalyticsLimitError } from '../../../lib/analytics/errors.ts';
import type { AnalyticsEngine } from '../../../lib/analytics/port.ts';
import type { AnalyticsQuery, Filter, Measure } from '../../../lib/analytics/types.ts';
import { engines, openTestDatabase } from '../../helpers/platform.ts';
import { dayIn, loadCompany, periodOf, TIME_ZONE, type RawOrder } from './query-fixtures.ts';
import { assertAnswer } from './query-expected.ts';

const MEASURES: Measure[] = [{ field: 'id', agg: 'count' }, { field: 'revenue', agg: 'sum' }];
const at = (iso: string) => Date.parse(iso);
const inDays = (o: RawOrder, from: string, to: string) => o.ordered_at !== null && dayIn(o.ordered_at) >= from && dayIn(o.ordered_at) <= to;
const revenueOver = (o: RawOrder, cents: bigint) => o.revenue !== null && o.revenue > cents;

/** A filter and which orders it should keep. */
const CASES: [string, Filter, (o: RawOrder) => boolean][] = [
  ['eq', { field: 'status', op: 'eq', value: 'paid' }, (o) => o.status === 'paid'],
  ['ne keeps NULLs', { field: 'status', op: 'ne', value: 'paid' }, (o) => o.status !== 'paid'],
  ['eq null', { field: 'region', op: 'eq', value: null }, (o) => o.region === null],
  ['ne null', { field: 'status', op: 'ne', value: null }, (o) => o.status !== null],
  ['in', { field: 'region', op: 'in', value: ['华东', '华北'] }, (o) => o.region === '华东' || o.region === '华北'],
  ['in with null', { field: 'status', op: 'in', value: ['refunded', null] }, (o) => o.status === 'refunded' || o.status === null],
  ['in nothing', { field: 'region', op: 'in', value: [] }, () => false],
  ['not_in keeps NULLs', { field: 'status', op: 'not_in', value: ['paid', 'cancelled'] }, (o) => o.status !== 'paid' && o.status !== 'cancelled'],
  ['not_in with null', { field: 'status', op: 'not_in', value: ['paid', null] }, (o) => o.status !== 'paid' && o.status !== null],
  ['not_in nothing', { field: 'region', op: 'not_in', value: [] }, () => true],
  ['gt money', { field: 'revenue', op: 'gt', value: 20000.5 }, (o) => revenueOver(o, 2000050n)],
  ['gte integer', { field: 'quantity', op: 'gte', value: 5 }, (o) => o.quantity !== null && o.quantity >= 5],
  ['lt money', { field: 'unit_price', op: 'lt', value: 100.01 }, (o) => o.unit_price !== null && o.unit_price < 10001n],
  ['lte integer', { field: 'quantity', op: 'lte', value: 2 }, (o) => o.quantity !== null && o.quantity <= 2],
  ['between money', { field: 'revenue', op: 'between', value: [0.1, 500] }, (o) => o.revenue !== null && o.revenue >= 10n && o.revenue <= 50000n],
  ['between whole days', { field: 'ordered_at', op: 'between', value: ['2025-01-01', '2025-03-01'] }, (o) => inDays(o, '2025-01-01', '2025-03-01')],
  ['eq a day', { field: 'ordered_at', op: 'eq', value: '2025-03-01' }, (o) => inDays(o, '2025-03-01', '2025-03-01')],
  ['ne a day keeps NULLs', { field: 'ordered_at', op: 'ne', value: '2025-03-01' }, (o) => !inDays(o, '2025-03-01', '2025-03-01')],
  ['gt a day: after it ends', { field: 'ordered_at', op: 'gt', value: '2025-12-30' }, (o) => o.ordered_at !== null && dayIn(o.ordered_at) > '2025-12-30'],
  ['lte a day: to its end', { field: 'ordered_at', op: 'lte', value: '2024-01-03' }, (o) => o.ordered_at !== null && dayIn(o.ordered_at) <= '2024-01-03'],
  ['lt an instant', { field: 'ordered_at', op: 'lt', value: '2025-03-01T16:00:00Z' }, (o) => o.ordered_at !== null && o.ordered_at < at('2025-03-01T16:00:00Z')],
  ['gte a local time', { field: 'ordered_at', op: 'gte', value: '2025-03-02T00:00:00' }, (o) => o.ordered_at !== null && o.ordered_at >= at('2025-03-01T16:00:00Z')],
  ['in days', { field: 'ordered_at', op: 'in', value: ['2025-03-01', '2025-01-01'] }, (o) => inDays(o, '2025-03-01', '2025-03-01') || inDays(o, '2025-01-01', '2025-01-01')],
  ['contains, any case', { field: 'sku', op: 'contains', value: 'e' }, (o) => o.sku !== null && o.sku.toLowerCase().includes('e')],
  ['contains a literal %_\\', { field: 'customer', op: 'contains', value: '50%_OFF \\' }, (o) => o.customer === 'Acme 50%_off \\ Ltd'],
  ['contains % matches no wildcard', { field: 'customer', op: 'contains', value: '%' }, (o) => o.customer?.includes('%') ?? false],
  ['month grain', { field: 'month', op: 'eq', value: '2025-03-01' }, (o) => periodOf('month', o.ordered_at) === '2025-03-01'],
  ['weekend', { field: 'weekday', op: 'in', value: [6, 7] }, (o) => [6, 7].includes(periodOf('weekday', o.ordered_at) as number)],
  ['nothing matches', { field: 'customer', op: 'eq', value: 'nobody at all' }, () => false],
];

const HOSTILE = `'; drop table orders; --`;

for (const engine of engines) {
  describe(`analytics filters on ${engine}`, () => {
    let db: Database;
    let close: () => Promise<void>;
    let orders: RawOrder[];
    let analytics: AnalyticsEngine;
    const query = (changes: Partial<AnalyticsQuery>) => analytics.query({ source: 'orders', dimensions: ['region'], measures: MEASURES, filters: [], sort: [], limit: 1000, ...changes });
    const orderCount = async () => (await db.query<{ n: number }>('select count(*)::int as n from orders')).rows[0]!.n;

    before(async () => {
      ({ db, close } = await openTestDatabase(engine));
      orders = await loadCompany(db, 4_000);
      analytics = createAnalyticsEngine(db, { statementTimeoutMs: 30_000, maxCost: 2e7, timeZone: TIME_ZONE });
    });
    after(() => close());

    for (const [name, filter, keep] of CASES) {
      test(`filter ${name}`, async () => {
        const kept = orders.filter(keep);
        assertAnswer(await query({ filters: [filter] }), kept, ['region'], MEASURES, name);
        if (kept.length === 0) assert.deepEqual((await query({ filters: [filter] })).rows, [], 'nothing matched: no rows, never every row');
      });
    }

    test('filters combine with and', async () => {
      const filters: Filter[] = [{ field: 'status', op: 'eq', value: 'paid' }, { field: 'category', op: 'ne', value: '办公' }, { field: 'quantity', op: 'gt', value: 3 }];
      const kept = orders.filter((o) => o.status === 'paid' && o.category !== '办公' && o.quantity !== null && o.quantity > 3);
      assertAnswer(await query({ dimensions: ['category', 'month'], filters }), kept, ['category', 'month'], MEASURES, 'and');
    });

    test('SQL in any value is inert: bound, matched literally, nothing dropped', async () => {
      const before = await orderCount();
      for (const field of ['region', 'customer', 'status', 'sku']) {
        for (const op of ['eq', 'contains', 'ne'] as const) assert.ok(await query({ filters: [{ field, op, value: HOSTILE }] }));
        assert.deepEqual((await query({ filters: [{ field, op: 'in', value: [HOSTILE] }] })).rows, []);
      }
      const drill = await analytics.rows({ source: 'orders', filters: [{ field: 'customer', op: 'eq', value: HOSTILE }], limit: 10, after: HOSTILE });
      assert.deepEqual(drill.rows, []);
      assert.equal(await orderCount(), before);
    });

    test('SQL in any name is refused, naming where', async () => {
      const refused = async (q: Partial<AnalyticsQuery>, field: string) =>
        assert.rejects(query(q), (e: unknown) => e instanceof AnalyticsInputError && e.field === field);
      await refused({ source: `orders; ${HOSTILE}` }, 'source');
      await refused({ dimensions: [`region ${HOSTILE}`] }, 'dimensions.0');
      await refused({ measures: [{ field: `revenue) ${HOSTILE}`, agg: 'sum' }] }, 'measures.0.field');
      await refused({ measures: [{ field: 'revenue', agg: `sum(1)); ${HOSTILE}` as never }] }, 'measures.0.agg');
      await refused({ measures: [{ field: 'revenue', agg: 'sum', as: `x" ${HOSTILE}` }] }, 'measures.0.as');
      await refused({ filters: [{ field: `status = status or 1=1 --`, op: 'eq', value: 'x' }] }, 'filters.0.field');
      await refused({ filters: [{ field: 'status', op: `= 'x' or 1=1 --` as never, value: 'x' }] }, 'filters.0.op');
      await refused({ sort: [{ field: `region; ${HOSTILE}`, dir: 'asc' }] }, 'sort.0.field');
      await refused({ sort: [{ field: 'region', dir: `desc; ${HOSTILE}` as never }] }, 'sort.0.dir');
      await assert.rejects(analytics.rows({ source: 'orders', filters: [], fields: [`id; ${HOSTILE}`], limit: 5 }), { field: 'fields.0' });
      assert.ok((await orderCount()) > 0);
    });

    test('over the cost ceiling: refused before it runs, naming the limit', async () => {
      const cheap = createAnalyticsEngine(db, { statementTimeoutMs: 30_000, maxCost: 5, timeZone: TIME_ZONE });
      await assert.rejects(cheap.query({ source: 'orders', dimensions: ['region'], measures: MEASURES, filters: [], sort: [], limit: 10 }), (e: unknown) => e instanceof AnalyticsLimitError && e.limit === 'cost');
      await assert.rejects(cheap.rows({ source: 'orders', filters: [], limit: 10 }), (e: unknown) => e instanceof AnalyticsLimitError && e.limit === 'cost');
    });

    test('over statement_timeout: stopped, naming the limit; the next query answers', { skip: engine === 'pglite' ? 'PGlite does not enforce statement_timeout' : false }, async () => {
      const hasty = createAnalyticsEngine(db, { statementTimeoutMs: 1, maxCost: 2e7, timeZone: TIME_ZONE });
      const heavy: AnalyticsQuery = {
        source: 'orders', dimensions: ['customer', 'day'], filters: [], sort: [], limit: 50_000,
        measures: [{ field: 'revenue', agg: 'p99' }, { field: 'revenue', agg: 'p50' }, { field: 'sku', agg: 'count_distinct' }],
      };
      await assert.rejects(hasty.query(heavy), (e: unknown) => e instanceof AnalyticsLimitError && e.limit === 'statement_timeout');
      const next = await query({});
      assert.ok(next.rows.length > 0);
      // The setting was the transaction's own: the pooled connection is back at the default.
      const { rows } = await db.query<{ t: string }>(`select current_setting('statement_timeout') as t`);
      assert.equal(rows[0]!.t, '0');
    });
  });
}

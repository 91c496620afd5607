import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../../lib/db/index.ts';
import { createAnalyticsEngine } from '../../../lib/analytics/engine.ts';
import { AnalyticsInputError, AnalyticsLimitError } from '../../../lib/analytics/errors.ts';
import { drillCell } from '../../../lib/analytics/pivot-drill.ts';
import { pivotQuery } from '../../../lib/analytics/pivot.ts';
import type { AnalyticsEngine } from '../../../lib/analytics/port.ts';
import type { PivotRequest, Value } from '../../../lib/analytics/types.ts';
import { loadGeneratedErp } from '../../../lib/erp/generate-load.ts';
import { engines, openTestDatabase } from '../../helpers/platform.ts';
import { assertPivot, expectedPivot, TZ } from './pivot-expected.ts';

// 2025 in Shanghai time, paid or refunded: the same filter as the pivot's, in the test's own SQL.
const WHERE = `o.status in ('paid', 'refunded') and o.ordered_at >= timestamp '2025-01-01' at time zone '${TZ}'
  and o.ordered_at < timestamp '2026-01-01' at time zone '${TZ}'`;
const filters: PivotRequest['filters'] = [
  { field: 'status', op: 'in', value: ['paid', 'refunded'] },
  { field: 'ordered_at', op: 'between', value: ['2025-01-01', '2025-12-31'] },
];

const byRegion: PivotRequest = {
  source: 'orders',
  rows: ['region', 'segment'],
  columns: ['quarter'],
  measures: [
    { field: 'revenue', agg: 'sum', as: 'revenue' },
    { field: 'id', agg: 'count', as: 'orders' },
    { field: 'unit_price', agg: 'avg', as: 'avg_price' },
    { field: 'customer_id', agg: 'count_distinct', as: 'customers' },
    { field: 'revenue', agg: 'p90', as: 'p90_revenue' },
  ],
  filters,
  shares: ['row', 'column', 'total'],
};
// Sums and counts only: rolled up from the finest level in JS (pivot-rollup.ts), so checked against SQL just the same.
const additive: PivotRequest = {
  source: 'orders',
  rows: ['region', 'segment', 'category'],
  columns: ['month'],
  measures: [
    { field: 'revenue', agg: 'sum', as: 'revenue' },
    { field: 'id', agg: 'count', as: 'orders' },
    { field: 'quantity', agg: 'sum', as: 'quantity' },
  ],
  filters,
  shares: ['row', 'column', 'total'],
};
const byCategory: PivotRequest = {
  source: 'orders',
  rows: ['category', 'month'],
  columns: ['weekday'],
  measures: [
    { field: 'id', agg: 'count', as: 'orders' },
    { field: 'quantity', agg: 'avg', as: 'avg_quantity' },
    { field: 'quantity', agg: 'max', as: 'max_quantity' },
  ],
  filters,
  shares: ['total'],
};

/** Every page of a cell's rows: no order twice, and exactly the orders the test's SQL finds. */
async function drillAll(engine: AnalyticsEngine, cell: Record<string, Value>, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await drillCell(engine, { source: 'orders', filters, cell, fields: ['id', 'region', 'quarter'], limit, after });
    assert.ok(page.rows.length <= limit);
    ids.push(...page.rows.map((r) => r.id as string));
    if (page.next === null) return ids;
    after = page.next;
  }
  throw new Error('drill-down did not end');
}

for (const engineName of engines) {
  describe(`pivots on ${engineName}`, () => {
    let db: Database;
    let close: () => Promise<void>;
    let engine: AnalyticsEngine;

    before(async () => {
      ({ db, close } = await openTestDatabase(engineName));
      await loadGeneratedErp(db, { orders: 8_000, seed: 'pivot-test', days: 500 });
      // Null headers: customers without a region, and an order without a customer (counted under region null).
      await db.query(`update customers set region = null where id in (select id from customers order by id limit 3)`);
      await db.query(
        `insert into orders (id, customer_id, sku, quantity, unit_price, status, ordered_at)
         select 'ZZ000001', null, sku, 3, 12.34, 'paid', timestamptz '2025-04-01 00:30:00+08' from products order by sku limit 1`,
      );
      engine = createAnalyticsEngine(db, { statementTimeoutMs: 15_000, maxCost: 2e7, timeZone: TZ });
    });
    after(async () => close?.());

    test('region × segment by quarter: every cell, subtotal, total and share exact (avg, count_distinct, p90 included)', async () => {
      const pivot = await pivotQuery(engine, byRegion);
      assertPivot(byRegion, pivot, await expectedPivot(db, byRegion, WHERE));
      assert.ok(pivot.rows.some((r) => r.kind === 'detail' && r.key[0] === null), 'a null region is a group, last');
      assert.deepEqual(pivot.columnKeys, [['2025-01-01'], ['2025-04-01'], ['2025-07-01'], ['2025-10-01']]);
      assert.deepEqual(pivot.measures.map((c) => c.type), ['money', 'integer', 'money', 'integer', 'money']);
    });

    test('sums and counts over three row fields, rolled up from one query: exact to the cent at every level', async () => {
      const pivot = await pivotQuery(engine, additive);
      assertPivot(additive, pivot, await expectedPivot(db, additive, WHERE));
      assert.ok(pivot.rows.filter((r) => r.depth === 2).length > 10, 'second-level subtotals');
    });

    test('category × month by weekday: nested subtotals, non-additive shares null', async () => {
      const pivot = await pivotQuery(engine, byCategory);
      assertPivot(byCategory, pivot, await expectedPivot(db, byCategory, WHERE));
      assert.deepEqual(pivot.columnKeys, [[1], [2], [3], [4], [5], [6], [7]]);
    });

    test('drill-down pages hold exactly the rows of the cell, each once', async () => {
      const pivot = await pivotQuery(engine, byRegion);
      const expected = await expectedPivot(db, byRegion, WHERE);
      const detail = pivot.rows.find((r) => r.kind === 'detail')!;
      const nullRegion = pivot.rows.find((r) => r.kind === 'subtotal' && r.key[0] === null)!;
      const cells: [Record<string, Value>, number | null][] = [
        [{ region: detail.key[0]!, segment: detail.key[1]!, quarter: '2025-04-01' }, detail.cells[1]![1]!],
        [{ region: null, quarter: '2025-01-01' }, nullRegion.cells[1]![0]!],
        [{ quarter: '2025-10-01' }, pivot.rows.at(-1)!.cells[1]![3]!],
      ];
      for (const [cell, count] of cells) {
        const ids = await drillAll(engine, cell, 97);
        assert.equal(new Set(ids).size, ids.length, 'no order twice');
        assert.equal(ids.length, count, `${JSON.stringify(cell)}: as many rows as the cell counts`);
        assert.deepEqual(ids, await expected.ids(cell));
      }
      // Sundays of a month in one category: the engine filters on the weekday grain as the pivot grouped.
      const category = (await pivotQuery(engine, byCategory)).rows[0]!.key[0]!;
      const sundays = { category, month: '2025-03-01', weekday: 7 };
      const ids = await drillAll(engine, sundays, 50);
      assert.ok(ids.length > 0);
      assert.deepEqual(ids, await (await expectedPivot(db, byCategory, WHERE)).ids(sundays));
    });

    test('a pivot over the cell limit is refused naming `cells`', async () => {
      const request: PivotRequest = { source: 'orders', rows: ['customer', 'day'], columns: ['product'], measures: [{ field: 'revenue', agg: 'sum' }], filters: [] };
      await assert.rejects(pivotQuery(engine, request), (e: unknown) => e instanceof AnalyticsLimitError && e.limit === 'cells');
    });

    test('bad fields are refused naming the pivot’s field', async () => {
      const base = { source: 'orders', measures: [{ field: 'revenue', agg: 'sum' as const }], filters: [] };
      const cases: [Partial<PivotRequest>, string][] = [
        [{ rows: ['region', 'nope'], columns: [] }, 'rows.1'],
        [{ rows: ['region'], columns: ['segment', 'revenue'] }, 'columns.1'],
        [{ rows: ['region'], columns: ['region'] }, 'columns.0'],
        [{ rows: ['region'], columns: [], measures: [{ field: 'status', agg: 'max' }] }, 'measures.0.agg'],
        [{ rows: ['region'], columns: [], filters: [{ field: 'region', op: 'gt', value: 1 }] }, 'filters.0.op'],
        [{ rows: ['region'], columns: [], source: 'nope' }, 'source'],
      ];
      for (const [change, field] of cases) {
        await assert.rejects(pivotQuery(engine, { ...base, ...change } as PivotRequest), (e: unknown) => e instanceof AnalyticsInputError && e.field === field, field);
      }
      const drill = { source: 'orders', filters, limit: 10 };
      await assert.rejects(drillCell(engine, { ...drill, cell: { month: '2025-03-02' } }), (e: unknown) => e instanceof AnalyticsInputError && e.field === 'cell.month');
      await assert.rejects(drillCell(engine, { ...drill, cell: { revenue: 1 } }), (e: unknown) => e instanceof AnalyticsInputError && e.field === 'cell.revenue');
      await assert.rejects(drillCell(engine, { ...drill, cell: { weekday: 8 } }), (e: unknown) => e instanceof AnalyticsInputError && e.field === 'cell.weekday');
    });

    test('a filter that matches nothing gives a grand total of nulls, not every row', async () => {
      const pivot = await pivotQuery(engine, { ...byRegion, filters: [{ field: 'region', op: 'eq', value: '火星' }] });
      assert.deepEqual(pivot.columnKeys, []);
      assert.equal(pivot.rows.length, 1);
      assert.deepEqual(pivot.rows[0]!.cells.map((c) => c[0]), [null, 0, null, 0, null]);
    });
  });
}

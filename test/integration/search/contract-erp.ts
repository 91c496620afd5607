/** The customers and orders indexes' half of the contract (see contract.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Clause, EngineHit, Filter, FieldStats, OrderRecord } from '../../../lib/search/port.ts';
import { erpProducts } from '../../fixtures/search/erp.ts';
import { index, lexical, words, type ContractWorld } from './contract.ts';
import { expectedIds, expectedRecords, histogramFacet, statsOf, termsFacet } from './contract-oracle.ts';
import { deleteOrders, storeErp } from './source-rows.ts';

const ids = (hits: EngineHit[]) => hits.map((h) => h.id).sort();

function assertStats(actual: FieldStats | undefined, expected: FieldStats, field: string) {
  assert.ok(actual, `stats for ${field}`);
  assert.equal(actual.count, expected.count, field);
  assert.equal(actual.min, expected.min, field);
  assert.equal(actual.max, expected.max, field);
  assert.ok(Math.abs(actual.sum! - expected.sum!) < 0.005, `${field} sum ${actual.sum} vs ${expected.sum}`);
  assert.ok(Math.abs(actual.avg! - expected.avg!) < 0.01, `${field} avg ${actual.avg} vs ${expected.avg}`);
}

export function erpContract(world: ContractWorld): void {
  async function expectOrders(clause: Clause | null, filters: Filter[] = []) {
    const result = await world.engine.lexical(lexical({ index: 'orders', clause, filters }));
    const expected = expectedIds('orders', world.orders, { clause, filters });
    assert.deepEqual(ids(result.hits), expected, JSON.stringify({ clause, filters }));
    assert.equal(result.total, expected.length);
    return result;
  }

  describe('customers and orders', () => {
    it('finds customers by Chinese and English name words', async () => {
      for (const clause of [words('科技'), words('northwind'), words('物流', 'logistics'), words('有限公司')]) {
        const result = await world.engine.lexical(lexical({ index: 'customers', clause }));
        const expected = expectedIds('customers', world.customers, { clause, filters: [] });
        assert.ok(expected.length > 0);
        assert.deepEqual(ids(result.hits), expected);
        assert.equal(result.total, expected.length);
      }
      const { hits } = await world.engine.lexical(lexical({ index: 'customers', clause: words('northwind') }));
      assert.equal(hits[0]!.fields.region, '海外');
      assert.deepEqual(hits[0]!.snippets, ['Northwind Traders Ltd']);
    });

    it('finds orders by customer and product name, and by keyword', async () => {
      const scanner = await expectOrders(words('scanner'));
      assert.ok(scanner.total > 0);
      const hit = scanner.hits[0]!;
      const record = world.orders.find((o) => o.id === hit.id)!;
      assert.equal(hit.fields.amount, record.amount);
      assert.equal(hit.fields.quantity, record.quantity);
      assert.equal(hit.fields.customer_name, record.customer_name);
      assert.ok(hit.snippets.includes('Industrial Barcode Scanner'));
      await expectOrders(words('上海', 'contoso'));
      await expectOrders({ kind: 'words', field: 'customer_name', words: [{ word: '打印机', alternatives: [] }] });
      await expectOrders({ kind: 'phrase', words: ['barcode', 'scanner'] });
      await expectOrders({ kind: 'keyword', field: 'customer_id', value: 'C009' });
      await expectOrders({ kind: 'and', children: [{ kind: 'keyword', field: 'status', value: 'paid' }, { kind: 'not', child: { kind: 'keyword', field: 'region', value: '海外' } }] });
    });

    it('filters on terms and on date, money and integer ranges', async () => {
      await expectOrders(null, [{ field: 'status', kind: 'terms', values: ['paid'] }]);
      await expectOrders(null, [{ field: 'ordered_at', kind: 'range', gte: '2025-01-01', lt: '2026-01-01' }]);
      await expectOrders(null, [{ field: 'amount', kind: 'range', gte: 1000, lte: 50000.5 }]);
      await expectOrders(null, [{ field: 'unit_price', kind: 'range', gt: 349.99 }]);
      await expectOrders(null, [{ field: 'quantity', kind: 'range', gte: 5, lt: 9 }, { field: 'region', kind: 'terms', values: ['华东', '华北'] }]);
      await expectOrders(words('企业版'), [{ field: 'status', kind: 'terms', values: ['paid', 'refunded'] }, { field: 'ordered_at', kind: 'range', gte: '2024-07-01' }]);
    });

    it('facets: terms, a monthly histogram and money statistics over the filtered orders', async () => {
      const filters: Filter[] = [
        { field: 'status', kind: 'terms', values: ['paid'] },
        { field: 'ordered_at', kind: 'range', gte: '2025-01-01', lt: '2026-01-01' },
      ];
      const result = await world.engine.lexical(
        lexical({
          index: 'orders',
          filters,
          limit: 5,
          facets: [
            { name: 'region', kind: 'terms', field: 'region', size: 20 },
            { name: 'category', kind: 'terms', field: 'category', size: 2 },
            { name: 'month', kind: 'histogram', field: 'ordered_at', interval: 'month' },
            { name: 'amount', kind: 'stats', field: 'amount' },
            { name: 'quantity', kind: 'stats', field: 'quantity' },
          ],
        }),
      );
      const matched = expectedRecords('orders', world.orders, { clause: null, filters });
      assert.equal(result.total, matched.length);
      assert.equal(result.hits.length, 5);
      assert.deepEqual(result.facets.region, termsFacet(matched, 'region', 20));
      assert.deepEqual(result.facets.category, termsFacet(matched, 'category', 2));
      assert.deepEqual(result.facets.month, histogramFacet('orders', matched, 'month'));
      assertStats(result.stats.amount, statsOf(matched, 'amount'), 'amount');
      assertStats(result.stats.quantity, statsOf(matched, 'quantity'), 'quantity');
      const all = await world.engine.lexical(lexical({ index: 'orders', limit: 0, facets: [{ name: 'status', kind: 'terms', field: 'status', size: 20 }] }));
      assert.deepEqual(all.facets.status, termsFacet(world.orders, 'status', 20));
    });

    it('sorts on money and dates, pages with `after`, ties by id', async () => {
      for (const sort of [[{ field: 'amount', dir: 'desc' as const }], [{ field: 'ordered_at', dir: 'asc' as const }], [{ field: 'quantity', dir: 'asc' as const }]]) {
        const key = sort[0]!.field as keyof OrderRecord;
        const value = (o: OrderRecord) => (key === 'ordered_at' ? Date.parse(o.ordered_at!) : (o[key] as number));
        const expected = [...world.orders]
          .sort((a, b) => (value(a) - value(b)) * (sort[0]!.dir === 'asc' ? 1 : -1) || (a.id < b.id ? -1 : 1))
          .map((o) => o.id);
        const seen: string[] = [];
        let after: (string | number)[] | undefined;
        for (let page = 0; page < 20 && seen.length < expected.length; page++) {
          const result = await world.engine.lexical(lexical({ index: 'orders', sort, limit: 7, after }));
          assert.equal(result.total, world.orders.length);
          seen.push(...result.hits.map((h) => h.id));
          after = result.hits.at(-1)?.sortValues;
        }
        assert.deepEqual(seen, expected, key);
      }
      const customers = await world.engine.lexical(lexical({ index: 'customers', sort: [{ field: 'created_at', dir: 'desc' }], limit: 3 }));
      assert.deepEqual(
        customers.hits.map((h) => h.id),
        [...world.customers].sort((a, b) => Date.parse(b.created_at!) - Date.parse(a.created_at!)).slice(0, 3).map((c) => c.id),
      );
    });

    it('removes and rebuilds orders', async () => {
      const gone = world.orders.slice(0, 2).map((o) => o.id);
      if (world.db) await deleteOrders(world.db, gone);
      await world.engine.remove('orders', gone);
      const left = await world.engine.lexical(lexical({ index: 'orders', limit: 0 }));
      assert.equal(left.total, world.orders.length - 2);
      const restored = world.orders.slice(0, 2);
      if (world.db) await storeErp(world.db, world.customers, erpProducts, restored);
      async function* batches() {
        for (let i = 0; i < world.orders.length; i += 30) yield world.orders.slice(i, i + 30);
      }
      assert.deepEqual(await world.engine.rebuild('orders', batches()), { records: world.orders.length });
      await expectOrders(null);
      await expectOrders(words('scanner'));
      await index(world.engine, 'orders', restored); // upsert after a rebuild is fine
      await expectOrders(null);
    });
  });
}

/**
 * The catalog and query API through the real platform (AUTH on): who may ask,
 * the catalog without SQL, answers equal to hand-written SQL, 400s naming the
 * field, 415/413, caching until an ERP change is announced (tag `erp`), and the
 * cost ceiling as a 422 naming its limit.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loadGeneratedErp } from '../../../lib/erp/generate-load.ts';
import { engines, startTestPlatform, type TestPlatform } from '../../helpers/platform.ts';

const operatorKey = `ak_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;
type Answer = { status: number; body: Record<string, any> };

const example = {
  source: 'orders',
  dimensions: ['region', 'month'],
  measures: [{ field: 'revenue', agg: 'sum', as: 'paid_revenue' }],
  filters: [{ field: 'status', op: 'eq', value: 'paid' }, { field: 'ordered_at', op: 'between', value: ['2025-01-01', '2025-12-31'] }],
  sort: [{ field: 'paid_revenue', dir: 'desc' }],
  limit: 1000,
};

const paidRevenueSql = `select c.region, to_char(o.ordered_at at time zone 'UTC', 'YYYY-MM') || '-01' as month, sum(o.quantity * o.unit_price)::text as revenue
  from orders o left join customers c on c.id = o.customer_id
 where o.status = 'paid' and o.ordered_at >= '2025-01-01T00:00:00Z' and o.ordered_at < '2026-01-01T00:00:00Z' group by 1, 2`;

for (const engine of engines) {
  describe(`analytics query API on ${engine}`, () => {
    let t: TestPlatform;
    let analyst: string;
    let reader: string;
    let stranger: string;

    const call = (key: string | undefined, path: string, body?: unknown, contentType = 'application/json'): Promise<Answer> =>
      fetch(`${t.api.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': contentType }) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));
    const ask = (body: unknown) => call(analyst, '/v1/analytics/query', body);
    const newKey = async (tenant: string | undefined, scopes: string[]) => {
      const created = await call(operatorKey, '/v1/api-keys', { name: `k-${scopes.join('-')}`, ...(tenant ? { tenant } : {}), scopes });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body.key as string;
    };
    /** The 400's problem names exactly this field. */
    const refused = async (body: unknown, field: string) => {
      const answer = await ask(body);
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.ok(answer.body.errors.some((e: { field: string }) => e.field === field), `${field} in ${JSON.stringify(answer.body.errors)}`);
    };

    before(async () => {
      t = await startTestPlatform(engine, { withWorker: false, env: { AUTH: 'on', ADMIN_API_KEY: operatorKey, ANALYTICS_TIME_ZONE: 'UTC' } });
      await loadGeneratedErp(t.platform.db, { orders: 3_000, seed: 'analytics-api', days: 730 });
      analyst = await newKey(undefined, ['reports']);
      reader = await newKey(undefined, ['search']);
      stranger = await newKey('other-co', ['reports']);
    });
    after(() => t?.close());

    test('the catalog lists each dataset with fields, types, grains and measures, and no SQL', async () => {
      const { status, body } = await call(analyst, '/v1/analytics/datasets');
      assert.equal(status, 200);
      assert.deepEqual(body.datasets.map((d: { name: string }) => d.name), ['orders', 'customers', 'products']);
      const orders = body.datasets[0];
      assert.deepEqual(orders.grains, ['day', 'week', 'month', 'quarter', 'year', 'weekday']);
      assert.equal(orders.fields.find((f: { name: string }) => f.name === 'revenue').type, 'money');
      assert.ok(orders.dimensions.includes('region') && orders.dimensions.includes('month'));
      assert.ok(!JSON.stringify(body).includes('o.quantity'), 'no SQL in the catalog');
      assert.equal((await call(analyst, '/v1/analytics/datasets/products')).body.name, 'products');
      assert.equal((await call(analyst, '/v1/analytics/datasets/invoices')).status, 404);
    });

    test('scope reports is needed; another tenant finds no ERP', async () => {
      assert.equal((await call(undefined, '/v1/analytics/datasets')).status, 401);
      assert.equal((await call(reader, '/v1/analytics/datasets')).status, 403);
      assert.equal((await call(reader, '/v1/analytics/query', example)).status, 403);
      assert.equal((await call(stranger, '/v1/analytics/datasets')).status, 404);
      assert.equal((await call(stranger, '/v1/analytics/query', example)).status, 404);
    });

    test("the issue's example answers what hand-written SQL says", async () => {
      const { status, body } = await ask(example);
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual(body.columns, [
        { name: 'region', type: 'string', role: 'dimension' },
        { name: 'month', type: 'date', role: 'dimension' },
        { name: 'paid_revenue', type: 'money', role: 'measure' },
      ]);
      const { rows } = await t.platform.db.query<{ region: string; month: string; revenue: string }>(paidRevenueSql);
      assert.equal(body.rows.length, rows.length);
      const want = new Map(rows.map((r) => [`${r.region}|${r.month}`, Number(r.revenue)]));
      for (const row of body.rows) assert.equal(row.paid_revenue, want.get(`${row.region}|${row.month}`));
      assert.equal(body.truncated, false);
      assert.equal(typeof body.sql_ms, 'number');
    });

    test('bad input is a 400 naming the field', async () => {
      const m = [{ field: 'revenue', agg: 'sum' }];
      await refused({ source: 'invoices', measures: m }, 'source');
      await refused({ source: "orders'; drop table orders; --", measures: m }, 'source');
      await refused({ source: 'orders', dimensions: ['region', 'planet'], measures: m }, 'dimensions.1');
      await refused({ source: 'orders', measures: [{ field: 'revenue', agg: 'median' }] }, 'measures.0.agg');
      await refused({ source: 'orders', measures: [{ field: 'status', agg: 'sum' }] }, 'measures.0.agg');
      await refused({ source: 'orders', measures: [...m, { field: 'revenue', agg: 'sum' }] }, 'measures.1');
      await refused({ source: 'orders', measures: m, sort: [{ field: 'profit', dir: 'asc' }] }, 'sort.0.field');
      const filtered = (filter: object) => ({ source: 'orders', measures: m, filters: [{ field: 'status', op: 'eq', value: 'paid' }, filter] });
      await refused(filtered({ field: 'revenue', op: 'gt', value: 'lots' }), 'filters.1.value');
      await refused(filtered({ field: 'ordered_at', op: 'gte', value: '2025-02-30' }), 'filters.1.value');
      await refused(filtered({ field: 'ordered_at', op: 'between', value: ['2025-01-01'] }), 'filters.1.value');
      await refused(filtered({ field: 'ordered_at', op: 'between', value: ['1000-01-01', '2025-01-01'] }), 'filters.1.value.0');
      await refused(filtered({ field: 'region', op: 'in', value: '华东' }), 'filters.1.value');
      await refused(filtered({ field: 'region', op: 'contains', value: ['华'] }), 'filters.1.value');
      await refused(filtered({ field: 'revenue', op: 'contains', value: '1' }), 'filters.1.op');
      await refused(filtered({ field: 'region', op: 'in', value: Array.from({ length: 1001 }, (_, i) => `r${i}`) }), 'filters.1.value');
      await refused({ source: 'orders', measures: m, dimensions: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }, 'dimensions');
      await refused({ source: 'orders', measures: [] }, 'measures');
      await refused({ source: 'orders', measures: m, limit: 0 }, 'limit');
    });

    test('a body that is not JSON is a 415; a huge one a 413; broken JSON a 400', async () => {
      assert.equal((await call(analyst, '/v1/analytics/query', 'source=orders', 'application/x-www-form-urlencoded')).status, 415);
      assert.equal((await call(analyst, '/v1/analytics/query', '{"source": ')).status, 400);
      const huge = { ...example, filters: [{ field: 'region', op: 'in', value: Array.from({ length: 900 }, () => 'x'.repeat(100)) }] };
      assert.equal((await ask(huge)).status, 413);
    });

    test('an equal question is answered from the cache until the ERP changes', async () => {
      const question = { source: 'orders', measures: [{ field: 'revenue', agg: 'sum' }, { field: 'id', agg: 'count' }] };
      const first = await ask(question);
      assert.equal(first.status, 200);
      // Behind the API's back: an import would drop the answers; a direct write does not.
      await t.platform.db.query(`update orders set quantity = quantity + 1 where id = (select min(id) from orders)`);
      const cached = await ask({ ...question, filters: [], dimensions: [] });
      assert.deepEqual(cached.body.rows, first.body.rows, 'the same question (defaults filled) shares the cached answer');
      await t.platform.cache.invalidateTags(['erp']);
      const fresh = await ask(question);
      assert.notDeepEqual(fresh.body.rows, first.body.rows);
      const { rows } = await t.platform.db.query<{ s: string }>('select sum(quantity * unit_price)::text as s from orders');
      assert.equal(fresh.body.rows[0].sum_revenue, Number(rows[0]!.s));
    });
  });
}

describe('analytics query API over the cost ceiling', () => {
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform('pglite', { withWorker: false, env: { ANALYTICS_MAX_COST: '1' } });
  });
  after(() => t?.close());

  test('is a 422 naming the limit, and the API keeps serving', async () => {
    const response = await fetch(`${t.api.url}/v1/analytics/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(example) });
    const body = (await response.json()) as Record<string, any>;
    assert.equal(response.status, 422, JSON.stringify(body));
    assert.equal(body.limit, 'cost');
    assert.equal((await fetch(`${t.api.url}/v1/analytics/datasets`)).status, 200);
  });
});

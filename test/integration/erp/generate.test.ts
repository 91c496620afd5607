import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Database } from '../../../lib/db/index.ts';
import { generateCustomers, generateProducts, planErp, type Anomaly, type ErpGenerationOptions } from '../../../lib/erp/generate.ts';
import { generateOrders } from '../../../lib/erp/generate-orders.ts';
import { loadGeneratedErp, type LoadResult } from '../../../lib/erp/generate-load.ts';
import { createScratchDatabase, engines, openTestDatabase } from '../../helpers/platform.ts';

const options: ErpGenerationOptions = { orders: 30_000, seed: 'erp-test', days: 728 };

/** Every generated row, hashed in order: the same seed must give the same company. */
function fingerprint(o: ErpGenerationOptions): string {
  const plan = planErp(o);
  const hash = createHash('sha256');
  for (const c of generateCustomers(plan)) hash.update(JSON.stringify(c));
  for (const p of generateProducts(plan)) hash.update(JSON.stringify(p));
  for (const order of generateOrders(plan)) hash.update(JSON.stringify(order));
  hash.update(JSON.stringify(plan.anomalies));
  return hash.digest('hex');
}

/** The table's content in a form both engines print alike (UTC epochs, numerics as text). */
const tableDigest = async (db: Database) =>
  (
    await db.query<{ digest: string }>(
      `select md5(string_agg(concat_ws('|', id, customer_id, sku, quantity, unit_price, status, extract(epoch from ordered_at)), ',' order by id)) as digest from orders`,
    )
  ).rows[0]!.digest;

describe('ERP generator: determinism', () => {
  test('the same seed makes the same rows; another seed other rows', () => {
    const small = { ...options, orders: 5_000 };
    assert.equal(fingerprint(small), fingerprint(small));
    assert.notEqual(fingerprint(small), fingerprint({ ...small, seed: 'another' }));
  });

  test('exactly the orders asked, numbered in time order, none before its customer joined', () => {
    const plan = planErp(options);
    assert.equal(plan.perDay.reduce((a, b) => a + b, 0), options.orders);
    const joined = new Map([...generateCustomers(plan)].map((c) => [c.id, c.created_at]));
    let previous = { id: '', ordered_at: '' };
    let n = 0;
    for (const order of generateOrders(plan)) {
      n++;
      assert.ok(order.id > previous.id && order.ordered_at >= previous.ordered_at, `${order.id} follows ${previous.id} in time`);
      assert.ok(order.ordered_at >= joined.get(order.customer_id)!, `${order.id} predates customer ${order.customer_id}`);
      previous = order;
    }
    assert.equal(n, options.orders);
  });
});

const digests = new Map<string, string>();

for (const engine of engines) {
  describe(`ERP generator into ${engine}`, () => {
    let db: Database;
    let close: () => Promise<void>;
    let copyUrl: string | undefined;
    let result: LoadResult;

    before(async () => {
      ({ db, close } = await openTestDatabase(engine));
      // PostgreSQL streams by COPY over its own connection to the same scratch database.
      copyUrl = engine === 'postgres' ? await scratchUrl(db) : undefined;
      result = await loadGeneratedErp(db, options, { copyUrl });
    });
    after(async () => close?.());

    test('the tables hold the plan: customers, products and every order', async () => {
      const { rows } = await db.query<{ customers: number; products: number; orders: number; orphans: number; early: number }>(
        `select (select count(*) from customers) as customers, (select count(*) from products) as products,
                (select count(*) from orders) as orders,
                (select count(*) from orders o left join customers c on c.id = o.customer_id where c.id is null) as orphans,
                (select count(*) from orders o join customers c on c.id = o.customer_id where o.ordered_at < c.created_at) as early`,
      );
      assert.deepEqual(rows[0], { customers: result.plan.customers, products: 140, orders: options.orders, orphans: 0, early: 0 });
      assert.deepEqual(result.counts, { customers: result.plan.customers, products: 140, orders: options.orders });
      const names = (await db.query<{ name: string; region: string }>('select name, region from customers')).rows;
      assert.ok(names.some((c) => /有限公司$/.test(c.name)), 'Chinese company names');
      assert.ok(names.some((c) => /^[A-Z][a-z]+ /.test(c.name)), 'English company names');
      assert.deepEqual([...new Set(names.map((c) => c.region))].sort(), ['华东', '华北', '华南', '海外', '西部'].sort());
    });

    test('weekly and yearly seasonality, and growth', async () => {
      const perWeekday = (await db.query<{ dow: number; n: number }>(`select extract(dow from ordered_at at time zone 'UTC')::int as dow, count(*) as n from orders group by 1`)).rows;
      const day = (d: number) => Number(perWeekday.find((r) => r.dow === d)?.n ?? 0);
      assert.ok(day(2) > 1.8 * day(0), `Tuesday ${day(2)} vs Sunday ${day(0)}`);
      const perMonth = (await db.query<{ m: number; n: number }>(`select extract(month from ordered_at at time zone 'UTC')::int as m, count(*) as n from orders group by 1`)).rows;
      const month = (m: number) => Number(perMonth.find((r) => r.m === m)?.n ?? 0);
      assert.ok(month(12) > 1.5 * month(2), `December ${month(12)} vs February ${month(2)}`);
      const perYear = (await db.query<{ y: number; n: number }>(`select extract(year from ordered_at at time zone 'UTC')::int as y, count(*) as n from orders group by 1 order by 1`)).rows;
      const year = (y: number) => Number(perYear.find((r) => r.y === y)?.n ?? 0);
      assert.ok(year(2025) > 1.2 * year(2024), `2025 ${year(2025)} vs 2024 ${year(2024)}`);
    });

    test('every injected anomaly is in the data', async () => {
      const kinds = result.anomalies.map((a) => a.kind).sort();
      assert.deepEqual(kinds, ['large_order', 'order_burst', 'outage', 'price_error', 'refund_spike']);
      const find = <K extends Anomaly['kind']>(k: K) => result.anomalies.find((a) => a.kind === k) as Extract<Anomaly, { kind: K }>;
      const count = async (sql: string, params: unknown[]) => Number((await db.query<{ n: number }>(sql, params)).rows[0]!.n);
      const onDay = `select count(*) as n from orders where ordered_at >= $1::date and ordered_at < $1::date + 1`;
      const outage = find('outage');
      const weekBefore = await count(`select count(*) / 7.0 as n from orders where ordered_at >= $1::date - 7 and ordered_at < $1::date`, [outage.date]);
      assert.ok((await count(onDay, [outage.date])) < 0.2 * weekBefore, 'the outage day is nearly empty');

      const spike = find('refund_spike');
      const spikeShare = (await db.query<{ refunded: number; n: number }>(
        `select count(*) filter (where o.status = 'refunded') as refunded, count(*) as n from orders o join customers c on c.id = o.customer_id
         where c.region = $2 and o.ordered_at >= $1::date and o.ordered_at < $1::date + 1`,
        [spike.date, spike.region],
      )).rows[0]!;
      assert.ok(spikeShare.refunded > 0.35 * spikeShare.n, `refunds ${spikeShare.refunded} of ${spikeShare.n}`);

      const price = find('price_error');
      const { rows: prices } = await db.query<{ inside: string; outside: string }>(
        `select avg(unit_price) filter (where ordered_at >= $2::date and ordered_at < $3::date + 1) as inside,
                avg(unit_price) filter (where ordered_at < $2::date or ordered_at >= $3::date + 1) as outside
         from orders where sku = $1`,
        [price.sku, price.from, price.to],
      );
      if (prices[0]!.inside !== null) assert.ok(Number(prices[0]!.inside) < 0.2 * Number(prices[0]!.outside), 'sold at a tenth of its price');

      const large = find('large_order');
      const { rows: big } = await db.query<{ quantity: number; median: number }>(
        `select o.quantity, (select percentile_cont(0.5) within group (order by quantity) from orders) as median from orders o where o.id = $1`,
        [large.orderId],
      );
      assert.ok(big[0]!.quantity >= 50 * Number(big[0]!.median), `quantity ${big[0]!.quantity}`);

      const burst = find('order_burst');
      const inHour = await count(
        `select count(*) as n from orders where customer_id = $2 and ordered_at >= $1::date + interval '3 hours' and ordered_at < $1::date + interval '4 hours'`,
        [burst.date, burst.customerId],
      );
      assert.ok(inHour >= burst.orders, `${inHour} orders in the burst hour`);
    });

    test('the rows are the same on every engine and load path (COPY or INSERT)', async () => {
      digests.set(engine, await tableDigest(db));
      if (digests.size === engines.length) assert.equal(new Set(digests.values()).size, 1, JSON.stringify([...digests]));
    });

    test('new rows are queued for search unless the index queue is off; a second run needs --replace', async () => {
      const queued = async () =>
        (await db.query<{ index_name: string; n: number }>(`select index_name, count(*) as n from search_changes where index_name in ('customers', 'orders') group by 1 order by 1`)).rows.map((r) => [r.index_name, Number(r.n)]);
      assert.deepEqual(await queued(), [['customers', result.plan.customers], ['orders', options.orders]]);
      await assert.rejects(loadGeneratedErp(db, { ...options, orders: 100 }, { copyUrl }), { code: 'E_ERP_NOT_EMPTY' });
      await db.query('delete from search_changes');
      const small = await loadGeneratedErp(db, { ...options, orders: 2_000 }, { copyUrl, replace: true, indexQueue: false });
      assert.equal(Number((await db.query<{ n: number }>('select count(*) as n from orders')).rows[0]!.n), 2_000);
      assert.deepEqual(await queued(), [], 'nothing queued with the index queue off');
      // The triggers are back on for everyone else's writes.
      await db.query(`update orders set status = 'cancelled' where id = $1`, [`SO${'1'.padStart(8, '0')}`]);
      assert.deepEqual(await queued(), [['orders', 1]]);
      assert.equal(small.counts.orders, 2_000);
    });
  });
}

describe('npm run erp', () => {
  test('generate prints the counts and the anomalies as JSON', { timeout: 120_000 }, async () => {
    const scratch = await createScratchDatabase();
    try {
      const root = fileURLToPath(new URL('../../../', import.meta.url));
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/erp.ts', 'generate', '--orders', '3000', '--seed', 'cli', '--days', '90'], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: scratch.url },
      });
      const out = JSON.parse(stdout) as { engine: string; counts: Record<string, number>; anomalies: unknown[] };
      assert.equal(out.engine, 'postgres');
      assert.equal(out.counts.orders, 3000);
      assert.ok(out.anomalies.length >= 3);
    } finally {
      await scratch.drop();
    }
  });
});

/** The URL of a test database the suite opened on PostgreSQL (the scratch database). */
async function scratchUrl(db: Database): Promise<string> {
  const { rows } = await db.query<{ name: string }>('select current_database() as name');
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `/${rows[0]!.name}`;
  return url.toString();
}

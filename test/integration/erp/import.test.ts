import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { generateOrders } from '../../../lib/erp/generate-orders.ts';
import { planErp, type ErpGenerationOptions } from '../../../lib/erp/generate.ts';
import { loadGeneratedErp } from '../../../lib/erp/generate-load.ts';
import { searchSyncRequestedSignal, searchSyncWorkflowId } from '../../../workflows/definitions.ts';
import { engines, spawnWorkerProcess, startTestPlatform, type TestPlatform } from '../../helpers/platform.ts';

/** A small company to import against: customers C000001… and products PC-0001…, no orders. */
const company: ErpGenerationOptions = { orders: 0, seed: 'erp-import', customers: 300, products: 140, days: 365 };

async function postImport(apiUrl: string, table: string, csv: string | Buffer) {
  const form = new FormData();
  form.append('table', table);
  form.append('file', new Blob([Buffer.from(csv)]), `${table}.csv`);
  const response = await fetch(`${apiUrl}/v1/erp/imports`, { method: 'POST', body: form });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/** Polls an import until it is completed or failed. */
async function waitForImport(apiUrl: string, id: string, timeoutMs = 120_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = (await (await fetch(`${apiUrl}/v1/erp/imports/${id}`)).json()) as Record<string, any>;
    if (['completed', 'failed'].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function importAndWait(apiUrl: string, table: string, csv: string | Buffer) {
  const { status, body } = await postImport(apiUrl, table, csv);
  assert.equal(status, 202, JSON.stringify(body));
  return waitForImport(apiUrl, body.id);
}

const customersCsv = [
  '\ufeffName, ID ,region,segment,created_at',
  '"上海华信科技有限公司",CX-1,华东,企业,2025-03-01',
  '"Blue River Logistics, Ltd.",CX-2,海外,中小企业,2025-03-02T09:30:00+08:00',
  '"多行\n名称公司",CX-3,,,',
].join('\r\n');

for (const engine of engines) {
  describe(`ERP import on ${engine}`, () => {
    let t: TestPlatform;
    const count = async (sql: string, params: unknown[] = []) => Number((await t.platform.db.query<{ n: number }>(sql, params)).rows[0]!.n);

    before(async () => {
      t = await startTestPlatform(engine);
      await loadGeneratedErp(t.platform.db, company);
    });
    after(async () => t?.close());

    test('a good file is upserted by key, any column order, quoted and multi-line values, and search is asked to catch up', async () => {
      const { status, body } = await postImport(t.api.url, 'customers', customersCsv);
      assert.equal(status, 202);
      assert.deepEqual(Object.keys(body).sort(), ['id', 'status', 'workflowId']);
      assert.equal(body.status, 'queued');
      assert.equal(body.workflowId, `erp-import-${body.id}`);
      const done = await waitForImport(t.api.url, body.id);
      assert.equal(done.status, 'completed', JSON.stringify(done));
      assert.equal(done.rows, 3);
      assert.equal(done.imported, 3);
      assert.equal(done.progress, 1);
      assert.deepEqual(done.errors, []);
      const { rows } = await t.platform.db.query<{ id: string; name: string; region: string | null; created_at: Date | null }>(
        `select id, name, region, created_at from customers where id like 'CX-%' order by id`,
      );
      assert.deepEqual(rows.map((r) => [r.id, r.name, r.region]), [
        ['CX-1', '上海华信科技有限公司', '华东'],
        ['CX-2', 'Blue River Logistics, Ltd.', '海外'],
        ['CX-3', '多行\n名称公司', null],
      ]);
      assert.equal(new Date(rows[1]!.created_at!).toISOString(), '2025-03-02T01:30:00.000Z');
      const temporal = new Client({ connection: await Connection.connect({ address: t.platform.config.TEMPORAL_ADDRESS }) });
      try {
        assert.deepEqual(await temporal.workflow.getHandle(done.workflowId).result(), { importId: body.id, status: 'completed', rows: 3 });
        // The rows were queued by the triggers (see the generator's suite); the import's last step signals the search sync.
        const sync = await temporal.workflow.getHandle(searchSyncWorkflowId(t.env.INGEST_TASK_QUEUE!)).fetchHistory();
        assert.ok((sync.events ?? []).some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === searchSyncRequestedSignal.name), 'the search sync was asked to run');
      } finally {
        await temporal.connection.close();
      }
    });

    test('the same file again rewrites nothing (so queues nothing for search); a changed row is updated alone', async () => {
      const versions = async () => (await t.platform.db.query<{ id: string; v: string }>(`select id, xmin::text as v from customers where id like 'CX-%' order by id`)).rows.map((r) => ({ ...r }));
      const before = await versions();
      const again = await importAndWait(t.api.url, 'customers', customersCsv);
      assert.equal(again.status, 'completed');
      assert.deepEqual(await versions(), before, 'no row was rewritten');
      // Only the columns in the header are written: region stays as it was.
      const renamed = await importAndWait(t.api.url, 'customers', 'id,name\nCX-1,上海华信科技股份有限公司\nCX-1,上海华信科技集团有限公司\n');
      assert.equal(renamed.status, 'completed');
      const { rows } = await t.platform.db.query<{ name: string; region: string }>(`select name, region from customers where id = 'CX-1'`);
      assert.deepEqual({ ...rows[0] }, { name: '上海华信科技集团有限公司', region: '华东' }, 'the later row of a key wins');
      const after = await versions();
      assert.notEqual(after[0]!.v, before[0]!.v, 'CX-1 was rewritten');
      assert.deepEqual(after.slice(1), before.slice(1), 'CX-2 and CX-3 were not');
    });

    test('orders: good rows land with their references; a bad file imports nothing and says where', async () => {
      const header = 'id,customer_id,sku,quantity,unit_price,status,ordered_at';
      const good = await importAndWait(t.api.url, 'orders', `${header}\nSOX-1,C000001,PC-0001,2,4999.00,paid,2025-05-01T10:00:00Z\nSOX-2,CX-2,NET-0001,1,120.5,refunded,2025-05-02\n`);
      assert.equal(good.status, 'completed', JSON.stringify(good));
      assert.equal(await count(`select count(*) as n from orders where id like 'SOX-%'`), 2);

      const bad = [
        header,
        'SOY-1,C000001,PC-0001,1,10.00,paid,2025-05-01', // fine, but the file is bad: not imported
        'SOY-2,NOBODY,PC-0001,1,10.00,paid,2025-05-01',
        'SOY-3,C000001,PC-0001,-3,10.00,shipped,2025-02-30',
        'SOY-4,C000001,PC-0001,1,10.001,paid,2025-05-01',
        'SOY-5,C000001,PC-0001,1,10.00',
        'SOY-6,C000001,NOPE,x,10.00,paid,yesterday', // cell errors: its references are not looked up
        'SOY-7,C000001,NOPE,1,10.00,paid,2025-05-01',
      ].join('\n');
      const failed = await importAndWait(t.api.url, 'orders', bad);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.error.code, 'E_IMPORT_INVALID');
      assert.deepEqual(failed.errors.map((e: { row: number; column: string }) => [e.row, e.column]), [
        [3, 'customer_id'],
        [4, 'quantity'],
        [4, 'status'],
        [4, 'ordered_at'],
        [5, 'unit_price'],
        [6, '(row)'],
        [7, 'quantity'],
        [7, 'ordered_at'],
        [8, 'sku'],
      ]);
      assert.ok(failed.errors.every((e: { detail: string }) => e.detail.length > 0));
      assert.equal(await count(`select count(*) as n from orders where id like 'SOY-%'`), 0, 'nothing of a bad file is imported');
    });

    test('a file with many bad rows reports the first 100; a bad header is reported on row 1', async () => {
      const rows = Array.from({ length: 500 }, (_, i) => `SOZ-${i},C000001,PC-0001,many,1.00,paid,2025-01-01`);
      const many = await importAndWait(t.api.url, 'orders', ['id,customer_id,sku,quantity,unit_price,status,ordered_at', ...rows].join('\n'));
      assert.equal(many.status, 'failed');
      assert.equal(many.errors.length, 100);
      assert.deepEqual(many.errors[0], { row: 2, column: 'quantity', detail: 'expected a whole number' });
      const header = await importAndWait(t.api.url, 'products', 'sku,name,colour\nX-1,Thing,red\n');
      assert.equal(header.status, 'failed');
      assert.deepEqual(header.errors.map((e: { row: number; column: string }) => [e.row, e.column]), [[1, 'colour'], [1, 'unit_price']]);
      const empty = await importAndWait(t.api.url, 'products', '');
      assert.deepEqual(empty.errors.map((e: { row: number; column: string }) => [e.row, e.column]), [[1, '(header)']]);
      const unclosed = await importAndWait(t.api.url, 'products', 'sku,name,unit_price\n"X-1,Thing,1.00\n');
      assert.equal(unclosed.status, 'failed');
      assert.equal(unclosed.errors[0].column, '(file)');
    });

    test('bad requests are 4xx problems', async () => {
      const json = await fetch(`${t.api.url}/v1/erp/imports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(json.status, 415);
      assert.equal((await postImport(t.api.url, 'invoices', 'a\n1\n')).status, 400);
      const form = new FormData();
      form.append('table', 'orders');
      form.append('extra', 'x');
      form.append('file', new Blob(['id\n']), 'x.csv');
      const extra = await fetch(`${t.api.url}/v1/erp/imports`, { method: 'POST', body: form });
      assert.equal(extra.status, 400);
      const noFile = new FormData();
      noFile.append('table', 'orders');
      assert.equal((await fetch(`${t.api.url}/v1/erp/imports`, { method: 'POST', body: noFile })).status, 400);
      assert.equal((await fetch(`${t.api.url}/v1/erp/imports/not-an-id`)).status, 400);
      const missing = await fetch(`${t.api.url}/v1/erp/imports/${'0'.repeat(32)}`);
      assert.equal(missing.status, 404);
      assert.equal((await missing.json()).code, 'E_IMPORT_NOT_FOUND');
      assert.equal((await fetch(`${t.api.url}/v1/erp/imports`, { method: 'DELETE' })).status, 405);
    });
  });
}

describe('an ERP import whose worker is killed with SIGKILL', () => {
  let t: TestPlatform;
  let worker: ChildProcess | undefined;
  const killed = async (w: ChildProcess) => {
    w.kill('SIGKILL');
    if (w.exitCode === null) await new Promise((resolve) => w.once('exit', resolve));
  };

  before(async () => {
    t = await startTestPlatform('postgres', { withWorker: false });
  });
  after(async () => {
    worker?.kill('SIGKILL');
    await t?.close();
  });

  test('resumes at its checkpoint and writes every batch exactly once', { timeout: 300_000 }, async () => {
    const shape = { seed: 'erp-crash', customers: 2000, products: 140, days: 365 };
    await loadGeneratedErp(t.platform.db, { ...shape, orders: 0 });
    // 200k orders of the same company (same seed and counts: the same customers and products), 100 batches.
    const lines = ['id,customer_id,sku,quantity,unit_price,status,ordered_at'];
    for (const o of generateOrders(planErp({ ...shape, orders: 200_000 }))) {
      lines.push(`${o.id},${o.customer_id},${o.sku},${o.quantity},${o.unit_price},${o.status},${o.ordered_at}`);
    }
    worker = spawnWorkerProcess(t.env);
    const { status, body } = await postImport(t.api.url, 'orders', lines.join('\n'));
    assert.equal(status, 202);
    const progress = async () =>
      (await t.platform.db.query<{ batches_done: number; imported: number; rows: number }>('select batches_done, imported, rows from erp_imports where id = $1', [body.id])).rows[0]!;
    const deadline = Date.now() + 180_000;
    let at = await progress();
    while (!(at.batches_done >= 3 && at.batches_done < 90)) {
      assert.ok(Date.now() < deadline, `never caught the import mid-way: ${JSON.stringify(at)}`);
      await new Promise((r) => setTimeout(r, 20));
      at = await progress();
    }
    await killed(worker);
    const atKill = await progress();
    assert.ok(atKill.batches_done < 100, 'the kill landed before the import was done');
    assert.equal(Number(await countOrders()), atKill.imported, 'what is committed matches the checkpoint');

    worker = spawnWorkerProcess(t.env);
    const done = await waitForImport(t.api.url, body.id, 240_000);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.equal(done.rows, 200_000);
    assert.equal(done.imported, 200_000, 'each batch was counted once: none written twice, none skipped');
    assert.equal(Number(await countOrders()), 200_000);
    assert.equal((await progress()).batches_done, 100);

    const client = new Client({ connection: await Connection.connect({ address: t.platform.config.TEMPORAL_ADDRESS }) });
    try {
      const history = await client.workflow.getHandle(done.workflowId).fetchHistory();
      const attempts = (history.events ?? [])
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'importBatches')
        .map((s) => history.events!.find((e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === s.eventId?.toString()))
        .map((started) => started?.activityTaskStartedEventAttributes?.attempt ?? 0);
      assert.ok(Math.max(...attempts) >= 2, `importBatches ran again after the kill (attempts ${attempts})`);
    } finally {
      await client.connection.close();
      await killed(worker);
    }

    async function countOrders() {
      return (await t.platform.db.query<{ n: number }>('select count(*) as n from orders')).rows[0]!.n;
    }
  });
});

describe('who may import', () => {
  let t: TestPlatform;
  const operatorKey = `ak_${'e'.repeat(16)}_${'R'.repeat(43)}`;
  const newKey = async (body: object) => {
    const response = await fetch(`${t.api.url}/v1/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 201);
    return ((await response.json()) as { key: string }).key;
  };
  const importAs = async (key: string) => {
    const form = new FormData();
    form.append('table', 'products');
    form.append('file', new Blob(['sku,name,unit_price\nAUTH-1,Thing,1.00\n']), 'p.csv');
    return fetch(`${t.api.url}/v1/erp/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${key}` } });
  };

  before(async () => {
    t = await startTestPlatform('pglite', { withWorker: false, env: { AUTH: 'on', ADMIN_API_KEY: operatorKey } });
  });
  after(async () => t?.close());

  test('the erp scope (or admin) of the default tenant; another tenant finds no ERP', async () => {
    const erp = await newKey({ name: 'erp loader', scopes: ['erp'] });
    const reader = await newKey({ name: 'reader', scopes: ['documents:read', 'search'] });
    const otherAdmin = await newKey({ name: 'other', tenant: 'other-co', scopes: ['admin'] });
    const accepted = await importAs(erp);
    assert.equal(accepted.status, 202);
    const { id } = (await accepted.json()) as { id: string };
    assert.equal((await importAs(operatorKey)).status, 202, 'admin implies erp');
    assert.equal((await importAs(reader)).status, 403);
    const elsewhere = await importAs(otherAdmin);
    assert.equal(elsewhere.status, 404);
    const read = (key: string) => fetch(`${t.api.url}/v1/erp/imports/${id}`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal((await read(erp)).status, 200);
    assert.equal((await read(reader)).status, 403);
    assert.equal((await read(otherAdmin)).status, 404, 'another tenant cannot see the import');
  });
});

/**
 * The search index kept true to PostgreSQL by the `syncSearchIndex` workflow: an
 * ingested document becomes findable, a deleted one (or its knowledge base) stops
 * being found, changed ERP rows are found as they are now, an operator rebuilds an
 * index, the Schedule catches up. With Elasticsearch down (a gate in front of the
 * shared server cuts every connection), changes wait in `search_changes` while the
 * workflow retries, and all of them land once it is back.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import { Client, Connection } from '@temporalio/client';
import { createSearchSync, type SearchSync } from '../../../client/search-sync.ts';
import { ensureSearchSyncSchedule } from '../../../client/schedules.ts';
import type { Database, Queryable } from '../../../lib/db/index.ts';
import type { IndexName, SearchEngine } from '../../../lib/search/port.ts';
import { searchSyncScheduleId, searchSyncWorkflowId } from '../../../workflows/definitions.ts';
import { ELASTICSEARCH_URL, startElasticsearchGate, type ElasticsearchGate } from '../../helpers/elasticsearch-gate.ts';
import { deleteAndWait, startTestPlatform, upload, waitForDocument, type TestPlatform } from '../../helpers/platform.ts';

/** A word no other record holds (letters only: one token for jieba). */
const nonce = () => `q${randomBytes(6).toString('hex').replace(/\d/g, (d) => 'ghijklmnop'[Number(d)]!)}`;

async function find(engine: SearchEngine, index: IndexName, word: string): Promise<string[]> {
  const result = await engine.lexical({
    index,
    tenant: 'default',
    clause: { kind: 'words', words: [{ word, alternatives: [] }] },
    filters: [],
    facets: [],
    sort: [],
    limit: 20,
    offset: 0,
  });
  return result.hits.map((h) => h.id);
}

async function eventually<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value: T | undefined;
    try {
      value = await probe();
      if (done(value)) return value;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const queued = async (db: Database, index: IndexName, ids: string[]) =>
  Number(
    (await db.query<{ n: string }>('select count(distinct record_id) as n from search_changes where index_name = $1 and record_id = any($2::text[])', [index, ids]))
      .rows[0]!.n,
  );

async function ingest(t: TestPlatform, text: string, fields: Record<string, string> = {}): Promise<string> {
  const { status, body } = await upload(t.api.url, text, `${nonce()}.txt`, fields);
  assert.ok(status === 201 || status === 202, `upload answered ${status} ${JSON.stringify(body)}`);
  const document = await waitForDocument(t.api.url, body.id as string);
  assert.equal(document.status, 'ready');
  return document.id as string;
}

async function insertCustomer(db: Queryable, id: string, name: string) {
  await db.query(`insert into customers (id, name, region, segment, created_at) values ($1, $2, '华东', 'enterprise', now())`, [id, name]);
}

async function insertOrder(db: Database, id: string, customerId: string, sku: string) {
  await db.query(`insert into orders (id, customer_id, sku, quantity, unit_price, status, ordered_at) values ($1, $2, $3, 3, 10.50, 'paid', now())`, [
    id,
    customerId,
    sku,
  ]);
}

describe('search sync on PostgreSQL search', () => {
  let t: TestPlatform;
  let temporal: Client;
  let sync: SearchSync;

  before(async () => {
    t = await startTestPlatform('postgres', { env: { SEARCH_ENGINE: 'postgres' } });
    temporal = new Client({ connection: await Connection.connect({ address: t.platform.config.TEMPORAL_ADDRESS }) });
    sync = createSearchSync(temporal, t.env.INGEST_TASK_QUEUE!);
  });
  after(async () => {
    await temporal?.connection.close();
    await t?.close();
  });

  test('an ingested document is found once ingestion finishes, with no request but its own', async () => {
    const word = nonce();
    const id = await ingest(t, `差旅报销标准 ${word} travel expense policy`);
    await eventually('found', () => find(t.platform.search, 'documents', word), (ids) => ids.includes(id));
    // The queue rows go, and the checkpoint is written, just after the engine took the write.
    await eventually('its change taken off the queue', () => queued(t.platform.db, 'documents', [id]), (n) => n === 0);
    const syncedAt = async () =>
      (await t.platform.db.query<{ synced_at: Date | null }>(`select synced_at from search_sync_state where engine = 'postgres' and index_name = 'documents'`))
        .rows[0]?.synced_at;
    await eventually('the checkpoint written', syncedAt, (at) => at instanceof Date);
  });

  test('a deleted document, and a deleted knowledge base’s documents, are no longer found', async () => {
    const word = nonce();
    const alone = await ingest(t, `${word} 单独删除的文档`);
    await postJson(t.api.url, '/v1/knowledge-bases', { id: 'sync-kb', name: 'sync' });
    const inKb = await ingest(t, `${word} 知识库里的文档`, { knowledgeBase: 'sync-kb' });
    await eventually('both found', () => find(t.platform.search, 'documents', word), (ids) => ids.includes(alone) && ids.includes(inKb));

    await deleteAndWait(t.api.url, alone);
    await eventually('the deleted document gone', () => find(t.platform.search, 'documents', word), (ids) => !ids.includes(alone) && ids.includes(inKb));

    assert.equal((await fetch(`${t.api.url}/v1/knowledge-bases/sync-kb`, { method: 'DELETE' })).status, 202);
    await eventually('the knowledge base’s document gone', () => find(t.platform.search, 'documents', word), (ids) => ids.length === 0);
  });

  test('ERP rows inserted, renamed and deleted are found as they are now after a sync request (what an import makes)', async () => {
    const customerWord = nonce();
    const productWord = nonce();
    const renamedWord = nonce();
    const customer = `C-${customerWord}`;
    const sku = `SKU-${productWord}`;
    const order = `O-${productWord}`;
    await insertCustomer(t.platform.db, customer, `${customerWord} 贸易有限公司`);
    await t.platform.db.query(`insert into products (sku, name, category, unit_price) values ($1, $2, 'tools', 10.50)`, [sku, `${productWord} drill`]);
    await insertOrder(t.platform.db, order, customer, sku);
    await sync.request();
    await eventually('customer found', () => find(t.platform.search, 'customers', customerWord), (ids) => ids.includes(customer));
    await eventually('order found by product and by customer', () => find(t.platform.search, 'orders', productWord), (ids) => ids.includes(order));
    assert.deepEqual(await find(t.platform.search, 'orders', customerWord), [order]);

    // A product renamed: its orders carry the name, so they are indexed again.
    await t.platform.db.query('update products set name = $2 where sku = $1', [sku, `${renamedWord} drill`]);
    await sync.request();
    await eventually('order found by the new product name', () => find(t.platform.search, 'orders', renamedWord), (ids) => ids.includes(order));
    assert.deepEqual(await find(t.platform.search, 'orders', productWord), [], 'not by the old one');

    await t.platform.db.query('delete from orders where id = $1', [order]);
    await sync.request();
    await eventually('deleted order gone', () => find(t.platform.search, 'orders', renamedWord), (ids) => ids.length === 0);
  });

  test('an operator rebuilds an index: 202, and the index is rebuilt with every record', async () => {
    const word = nonce();
    const customer = `C-${word}`;
    // Written with the change queue bypassed: only a rebuild can find it.
    await t.platform.db.transaction(async (tx) => {
      await insertCustomer(tx, customer, `${word} 重建公司`);
      await tx.query('delete from search_changes where record_id = $1', [customer]);
    });

    const response = await postJson(t.api.url, '/v1/admin/search/rebuild', { index: 'customers' });
    assert.equal(response.status, 202);
    assert.deepEqual(response.body, { id: 'customers', workflowId: searchSyncWorkflowId(t.env.INGEST_TASK_QUEUE!), status: 'running' });
    await eventually('found', () => find(t.platform.search, 'customers', word), (ids) => ids.includes(customer));
    const rebuiltAt = async () =>
      (
        await t.platform.db.query<{ rebuilt_at: Date | null }>(
          `select rebuilt_at from search_sync_state where engine = 'postgres' and index_name = 'customers'`,
        )
      ).rows[0]?.rebuilt_at;
    await eventually('the rebuild recorded', rebuiltAt, (at) => at instanceof Date);

    for (const body of [{ index: 'invoices' }, { index: 'customers', extra: 1 }, {}]) {
      const refused = await postJson(t.api.url, '/v1/admin/search/rebuild', body);
      assert.equal(refused.status, 400, JSON.stringify(body));
      assert.equal(refused.body.code, 'E_VALIDATION');
    }
  });

  test('the Schedule asks for a sync on its own', async () => {
    const word = nonce();
    const customer = `C-${word}`;
    await insertCustomer(t.platform.db, customer, `${word} 定时公司`);
    const scheduleId = await ensureSearchSyncSchedule(temporal, t.env.INGEST_TASK_QUEUE!, 60);
    assert.equal(scheduleId, searchSyncScheduleId(t.env.INGEST_TASK_QUEUE!));
    const schedule = temporal.schedule.getHandle(scheduleId);
    try {
      const described = await schedule.describe();
      assert.equal(described.action.type === 'startWorkflow' && described.action.workflowType, 'scheduledSearchSync');
      assert.equal(described.policies.overlap, 'SKIP');
      await schedule.trigger();
      await eventually('found', () => find(t.platform.search, 'customers', word), (ids) => ids.includes(customer));
    } finally {
      await schedule.delete();
    }
  });
});

describe('search sync on Elasticsearch, with Elasticsearch down mid-way', () => {
  let t: TestPlatform;
  let gate: ElasticsearchGate;
  let temporal: Client;
  let sync: SearchSync;
  const prefix = `sync-test-${randomBytes(4).toString('hex')}`;

  before(async () => {
    gate = await startElasticsearchGate();
    t = await startTestPlatform('pglite', { env: { SEARCH_ENGINE: 'elasticsearch', ELASTICSEARCH_URL: gate.url, SEARCH_INDEX_PREFIX: prefix } });
    temporal = new Client({ connection: await Connection.connect({ address: t.platform.config.TEMPORAL_ADDRESS }) });
    sync = createSearchSync(temporal, t.env.INGEST_TASK_QUEUE!);
  });
  after(async () => {
    await gate?.up();
    await temporal?.connection.close();
    await t?.close();
    await gate?.close();
    const admin = new ElasticsearchClient({ node: ELASTICSEARCH_URL });
    try {
      // Wildcard deletes are refused (action.destructive_requires_name): delete by name.
      const indexes = Object.keys(await admin.indices.get({ index: `${prefix}-*`, expand_wildcards: 'all' }));
      if (indexes.length > 0) await admin.indices.delete({ index: indexes });
      const templates = await admin.indices.getIndexTemplate({ name: `${prefix}-*` }).catch(() => ({ index_templates: [] }));
      for (const { name } of templates.index_templates) await admin.indices.deleteIndexTemplate({ name });
    } finally {
      await admin.close();
    }
  });

  test('changes made while it is down wait in the queue, then all land; nothing is lost', async () => {
    const word = nonce();
    const before = await ingest(t, `${word} 在故障之前 before the outage`);
    await eventually('found before the outage', () => find(t.platform.search, 'documents', word), (ids) => ids.includes(before));

    await gate.down();
    const during = await ingest(t, `${word} 在故障期间 during the outage`);
    const customers = Array.from({ length: 30 }, (_, i) => `C-${word}-${i}`);
    for (const id of customers) await insertCustomer(t.platform.db, id, `${word} 客户 ${id.slice(-2)}`);
    await sync.request();
    await deleteAndWait(t.api.url, before);

    // The sync keeps failing and retrying; every change is still queued.
    const handle = temporal.workflow.getHandle(searchSyncWorkflowId(t.env.INGEST_TASK_QUEUE!));
    const pending = await eventually(
      'the sync retrying',
      async () => (await handle.describe()).raw.pendingActivities ?? [],
      (activities) => activities.some((a) => (a.attempt ?? 0) >= 2),
    );
    assert.match(pending[0]!.lastFailure?.message ?? '', /.+/, 'the failure is recorded on the pending activity');
    assert.equal(await queued(t.platform.db, 'documents', [during, before]), 2);
    assert.equal(await queued(t.platform.db, 'customers', customers), customers.length);
    await assert.rejects(find(t.platform.search, 'documents', word), { code: 'E_SEARCH_UNAVAILABLE' });

    await gate.up();
    await eventually('everything landed', () => find(t.platform.search, 'customers', word), (ids) => ids.length === 20, 90_000);
    const total = (
      await t.platform.search.lexical({
        index: 'customers',
        tenant: 'default',
        clause: { kind: 'words', words: [{ word, alternatives: [] }] },
        filters: [],
        facets: [],
        sort: [],
        limit: 100,
        offset: 0,
      })
    ).total;
    assert.equal(total, customers.length, 'every customer written during the outage is found');
    await eventually('the document ingested during the outage found, the deleted one gone', () => find(t.platform.search, 'documents', word), (ids) =>
      ids.length === 1 && ids[0] === during,
    );
    await eventually('the queue emptied', () => queued(t.platform.db, 'customers', customers), (n) => n === 0);
  });
});

async function postJson(apiUrl: string, path: string, body: unknown) {
  const response = await fetch(`${apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

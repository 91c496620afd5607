/**
 * The Elasticsearch adapter against the real server (`services.sh up elasticsearch`,
 * ELASTICSEARCH_URL): writes searchable on return, the alias swap of a rebuild with
 * searches running throughout, bulk retries and backpressure, and every way the
 * cluster can fail to answer. Outages go through a real proxy (test/helpers/
 * elasticsearch-gate.ts): the shared server is never stopped. Semantics shared
 * with PostgreSQL are the contract suite's (contract-elasticsearch.test.ts).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@elastic/elasticsearch';
import { createElasticsearchEngine, type ElasticsearchEngineOptions } from '../../../lib/search/adapters/elasticsearch/index.ts';
import { ElasticsearchRequestError } from '../../../lib/search/adapters/elasticsearch/errors.ts';
import { SearchUnavailableError } from '../../../lib/search/errors.ts';
import type { DocumentRecord, LexicalRequest, OrderRecord, SearchEngine } from '../../../lib/search/port.ts';
import { ELASTICSEARCH_URL, startElasticsearchGate } from '../../helpers/elasticsearch-gate.ts';

const admin = new Client({ node: ELASTICSEARCH_URL });
const prefixes: string[] = [];
const closers: (() => Promise<void>)[] = [];

after(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
  // Wildcard deletes are refused (action.destructive_requires_name): delete by name, all in one call.
  const patterns = prefixes.map((prefix) => `${prefix}-*`);
  const indexes = Object.keys(await admin.indices.get({ index: patterns, expand_wildcards: 'all', allow_no_indices: true }));
  if (indexes.length > 0) await admin.indices.delete({ index: indexes });
  // By pattern, one prefix at a time: a test that failed early may have made no template.
  for (const prefix of prefixes) await admin.indices.deleteIndexTemplate({ name: `${prefix}-*` }).catch(() => {});
  await admin.close();
});

function engineFor(options: Partial<ElasticsearchEngineOptions> = {}): { engine: SearchEngine; prefix: string } {
  const prefix = options.prefix ?? `t-${randomUUID().slice(0, 8)}`;
  if (!prefixes.includes(prefix)) prefixes.push(prefix);
  const engine = createElasticsearchEngine({
    url: ELASTICSEARCH_URL,
    dimension: 4,
    timeoutMs: 5_000,
    ...options,
    prefix,
    bulk: { backoffMs: 50, ...options.bulk },
  });
  closers.push(() => engine.close());
  return { engine, prefix };
}

const doc = (id: string, title: string, texts: string[], extra: Partial<DocumentRecord> = {}): DocumentRecord => ({
  id,
  tenant: 'acme',
  title,
  knowledge_base: 'kb-hr',
  tags: [],
  doc_type: 'md',
  lang: 'zh',
  created_at: '2025-06-01T00:00:00Z',
  chunks: texts.map((text, idx) => ({ idx, text, embedding: [1, idx, 0, 0] })),
  ...extra,
});

const order = (id: string, extra: Partial<OrderRecord> = {}): OrderRecord => ({
  id,
  customer_id: 'c1',
  customer_name: '上海远航贸易有限公司',
  region: '华东',
  segment: 'enterprise',
  sku: 'SKU-1',
  product_name: 'Laptop Pro 14',
  category: 'computers',
  quantity: 2,
  unit_price: 4999.5,
  amount: 9999,
  status: 'paid',
  ordered_at: '2025-03-10T08:00:00Z',
  ...extra,
});

const search = (engine: SearchEngine, request: Partial<LexicalRequest> & Pick<LexicalRequest, 'index'>) =>
  engine.lexical({ tenant: 'acme', clause: null, filters: [], facets: [], sort: [], limit: 20, offset: 0, ...request });

const words = (...list: string[]) => ({ kind: 'words' as const, words: list.map((word) => ({ word, alternatives: [] })) });

async function* batches<T>(items: T[], size: number, pauseMs = 0): AsyncIterable<T[]> {
  for (let i = 0; i < items.length; i += size) {
    if (pauseMs) await sleep(pauseMs);
    yield items.slice(i, i + size);
  }
}

async function physicalIndexes(prefix: string, index: string): Promise<string[]> {
  return Object.keys(await admin.indices.getAlias({ name: `${prefix}-${index}` }));
}

describe('writes', () => {
  test('upsert resolves searchable, replaces by id; remove resolves gone and ignores unknown ids', async () => {
    const { engine } = engineFor();
    await engine.upsert('documents', [doc('d1', '差旅报销制度', ['员工出差需要提前申请。', '报销需要在三十天内提交发票。'])]);
    let result = await search(engine, { index: 'documents', clause: words('报销') });
    assert.deepEqual(result.hits.map((hit) => hit.id), ['d1']);
    // The best matching chunk is the snippet, not the first one.
    assert.equal(result.hits[0]!.snippets[0], '报销需要在三十天内提交发票。');

    await engine.upsert('documents', [doc('d1', '工龄规定', ['年休天数按工龄计算。'])]);
    assert.equal((await search(engine, { index: 'documents', clause: words('报销') })).total, 0);
    result = await search(engine, { index: 'documents', clause: words('工龄') });
    assert.deepEqual(result.hits.map((hit) => [hit.id, hit.fields.title]), [['d1', '工龄规定']]);

    await engine.remove('documents', ['d1', 'never-indexed']);
    assert.equal((await search(engine, { index: 'documents' })).total, 0);
  });

  test('documents are one hit each, counted once by facets, only the tenant’s own', async () => {
    const { engine } = engineFor();
    const chunks = Array.from({ length: 12 }, (_, i) => `第${i}段：预算审批流程说明。`);
    await engine.upsert('documents', [
      doc('d1', '预算审批', chunks, { tags: ['财务', '流程'] }),
      doc('d2', 'Budget approval', ['The approval of a 预算 goes to finance.'], { tags: ['财务'], lang: 'en', created_at: '2025-07-02T00:00:00Z' }),
      doc('other', '预算审批', chunks, { tenant: 'rival', tags: ['财务'] }),
    ]);
    const result = await search(engine, {
      index: 'documents',
      clause: words('预算'),
      facets: [
        { name: 'tags', kind: 'terms', field: 'tags', size: 20 },
        { name: 'month', kind: 'histogram', field: 'created_at', interval: 'month' },
      ],
    });
    assert.deepEqual(result.hits.map((hit) => hit.id).sort(), ['d1', 'd2']);
    assert.equal(result.total, 2);
    assert.equal(result.hits.find((hit) => hit.id === 'd1')!.snippets.length, 3);
    assert.deepEqual(result.facets.tags, [{ value: '财务', count: 2 }, { value: '流程', count: 1 }]);
    assert.deepEqual(result.facets.month, [{ value: '2025-06-01', count: 1 }, { value: '2025-07-01', count: 1 }]);

    const near = await engine.nearest({ index: 'documents', tenant: 'acme', vector: new Float32Array([1, 0, 0, 0]), filters: [], k: 10 });
    assert.deepEqual(near.map((hit) => hit.id).sort(), ['d1', 'd2']);
    assert.ok(Math.abs(near[0]!.score - 1) < 1e-4, `cosine of identical vectors is 1, got ${near[0]!.score}`);
  });

  test('a write may take longer than a search’s timeout (it waits for the refresh)', async () => {
    const { engine } = engineFor({ timeoutMs: 150 });
    await engine.ensureReady();
    const took: number[] = [];
    for (let i = 0; i < 4; i++) {
      const started = Date.now();
      await engine.upsert('orders', [order(`o${i}`)]);
      took.push(Date.now() - started);
    }
    // The refresh comes within a second: some write waited past 150 ms, and none failed.
    assert.ok(Math.max(...took) > 150, `writes took ${took.join(', ')} ms`);
    assert.equal((await search(engine, { index: 'orders' })).total, 4);
  });

  test('a record the mapping cannot hold fails the write naming it; the others land', async () => {
    const { engine } = engineFor();
    const bad = order('o-bad', { quantity: 'many' as unknown as number });
    await assert.rejects(engine.upsert('orders', [order('o-good'), bad]), (error: unknown) => {
      assert.ok(error instanceof ElasticsearchRequestError, String(error));
      assert.match(error.message, /o-bad/);
      return true;
    });
    assert.deepEqual((await search(engine, { index: 'orders' })).hits.map((hit) => hit.id), ['o-good']);
  });
});

describe('bulk', () => {
  test('items pushed back (429: flood-stage block) are retried until the block lifts', async () => {
    const { engine, prefix } = engineFor({ bulk: { backoffMs: 100, attempts: 8 } });
    await engine.ensureReady();
    const [physical] = await physicalIndexes(prefix, 'orders');
    await admin.indices.putSettings({ index: physical!, settings: { 'index.blocks.read_only_allow_delete': true } });
    const started = Date.now();
    const write = engine.upsert('orders', [order('o1'), order('o2')]);
    await sleep(600);
    await admin.indices.putSettings({ index: physical!, settings: { 'index.blocks.read_only_allow_delete': null } });
    await write;
    assert.ok(Date.now() - started >= 600, 'the write waited for the block to lift');
    assert.equal((await search(engine, { index: 'orders' })).total, 2);
  });

  test('a block that never lifts ends in SearchUnavailableError after the attempts', async () => {
    const { engine, prefix } = engineFor({ bulk: { backoffMs: 20, attempts: 3 } });
    await engine.ensureReady();
    const [physical] = await physicalIndexes(prefix, 'orders');
    await admin.indices.putSettings({ index: physical!, settings: { 'index.blocks.read_only_allow_delete': true } });
    try {
      await assert.rejects(engine.upsert('orders', [order('o1')]), SearchUnavailableError);
    } finally {
      await admin.indices.putSettings({ index: physical!, settings: { 'index.blocks.read_only_allow_delete': null } });
    }
  });

  test('backpressure: never more bulk requests in flight than the concurrency, and all records land', async () => {
    const gate = await startElasticsearchGate();
    closers.push(() => gate.close());
    const { engine, prefix } = engineFor({ url: gate.url, bulk: { concurrency: 2, maxRequestOperations: 50 } });
    const records = Array.from({ length: 1000 }, (_, i) => order(`o${String(i).padStart(4, '0')}`, { quantity: i }));
    // Two writers at once share the same two slots.
    await Promise.all([engine.upsert('orders', records.slice(0, 500)), engine.rebuild('customers', batches([], 1))]);
    const { records: rebuilt } = await engine.rebuild('orders', batches(records, 100));
    assert.equal(rebuilt, 1000);
    assert.ok(gate.stats.bulkMaxInFlight >= 1 && gate.stats.bulkMaxInFlight <= 2, `max in flight ${gate.stats.bulkMaxInFlight}`);
    const result = await search(engine, { index: 'orders', facets: [{ name: 'quantity', kind: 'stats', field: 'quantity' }] });
    assert.equal(result.total, 1000);
    assert.deepEqual(result.stats.quantity, { count: 1000, min: 0, max: 999, avg: 499.5, sum: 499500 });
    assert.ok(prefix);
  });
});

describe('rebuild', () => {
  test('swaps the alias with searches answering throughout, then deletes the old index', async () => {
    const { engine, prefix } = engineFor();
    await engine.upsert('orders', [order('old-1'), order('old-2')]);
    const [before] = await physicalIndexes(prefix, 'orders');

    let running = true;
    const seen: number[] = [];
    const failures: unknown[] = [];
    const searcher = (async () => {
      while (running) {
        try {
          seen.push((await search(engine, { index: 'orders' })).total);
        } catch (error) {
          failures.push(error);
        }
        await sleep(5);
      }
    })();
    const fresh = Array.from({ length: 30 }, (_, i) => order(`new-${i}`));
    const { records } = await engine.rebuild('orders', batches(fresh, 5, 60));
    await sleep(100);
    running = false;
    await searcher;

    assert.equal(records, 30);
    assert.deepEqual(failures, []);
    // Old answers (2) until the swap, new ones (30) after: never an empty or partial index.
    assert.ok(seen.length > 10, `searched ${seen.length} times`);
    assert.ok(seen.every((total) => total === 2 || total === 30), `totals seen: ${[...new Set(seen)].join(',')}`);
    assert.equal(seen[0], 2);
    assert.equal(seen.at(-1), 30);
    const afterSwap = await physicalIndexes(prefix, 'orders');
    assert.equal(afterSwap.length, 1);
    assert.notEqual(afterSwap[0], before);
    assert.equal(await admin.indices.exists({ index: before! }), false);
    // Writes go to the new index.
    await engine.upsert('orders', [order('later')]);
    assert.equal((await search(engine, { index: 'orders' })).total, 31);
  });

  test('a rebuild whose source fails leaves the old index serving and no stray index', async () => {
    const { engine, prefix } = engineFor();
    await engine.upsert('customers', [{ id: 'c1', name: '远航贸易', region: '华东', segment: 'smb', created_at: '2024-01-01T00:00:00Z' }]);
    async function* broken() {
      yield [{ id: 'c2', name: 'Other', region: '海外', segment: 'smb', created_at: '2024-01-01T00:00:00Z' }];
      throw new Error('database went away');
    }
    await assert.rejects(engine.rebuild('customers', broken()), /database went away/);
    assert.deepEqual((await search(engine, { index: 'customers' })).hits.map((hit) => hit.id), ['c1']);
    const all = Object.keys(await admin.indices.get({ index: `${prefix}-customers-*` }));
    assert.equal(all.length, 1);
  });

  test('two processes getting ready at once make one physical index per alias', async () => {
    const prefix = `t-${randomUUID().slice(0, 8)}`;
    const a = engineFor({ prefix }).engine;
    const b = engineFor({ prefix }).engine;
    await Promise.all([a.ensureReady(), b.ensureReady(), a.ensureReady()]);
    for (const index of ['documents', 'customers', 'orders']) {
      assert.equal((await physicalIndexes(prefix, index)).length, 1, index);
    }
  });

  test('indexes lost behind its back (cluster wiped) are made again on the next call', async () => {
    const { engine, prefix } = engineFor();
    await engine.upsert('customers', [{ id: 'c1', name: 'A', region: null, segment: null, created_at: null }]);
    await admin.indices.delete({ index: await physicalIndexes(prefix, 'customers') });
    assert.equal((await search(engine, { index: 'customers' })).total, 0);
    await engine.upsert('customers', [{ id: 'c2', name: 'B', region: null, segment: null, created_at: null }]);
    assert.deepEqual((await search(engine, { index: 'customers' })).hits.map((hit) => hit.id), ['c2']);
    // No stray index named like the alias was auto-created by a write.
    assert.equal((await physicalIndexes(prefix, 'customers')).length, 1);
  });
});

describe('Elasticsearch unavailable', () => {
  test('down: every call is SearchUnavailableError; back up: answers again without a restart', async () => {
    const gate = await startElasticsearchGate();
    closers.push(() => gate.close());
    const { engine } = engineFor({ url: gate.url });
    await engine.upsert('orders', [order('o1')]);
    await gate.down();
    const calls: [string, () => Promise<unknown>][] = [
      ['lexical', () => search(engine, { index: 'orders' })],
      ['nearest', () => engine.nearest({ index: 'documents', tenant: 'acme', vector: new Float32Array(4).fill(1), filters: [], k: 3 })],
      ['upsert', () => engine.upsert('orders', [order('o2')])],
      ['remove', () => engine.remove('orders', ['o1'])],
      ['rebuild', () => engine.rebuild('orders', batches([order('o3')], 1))],
      ['health', () => engine.health()],
    ];
    for (const [name, run] of calls) {
      await assert.rejects(run(), (error: unknown) => {
        assert.ok(error instanceof SearchUnavailableError, `${name}: ${String(error)}`);
        assert.equal(error.code, 'E_SEARCH_UNAVAILABLE');
        assert.equal(error.retryable, true);
        return true;
      });
    }
    await gate.up();
    await engine.health();
    assert.deepEqual((await search(engine, { index: 'orders' })).hits.map((hit) => hit.id), ['o1']);
  });

  test('never ready (down from the start): the first call fails, a later one makes the indexes', async () => {
    const gate = await startElasticsearchGate();
    closers.push(() => gate.close());
    await gate.down();
    const { engine } = engineFor({ url: gate.url });
    await assert.rejects(engine.ensureReady(), SearchUnavailableError);
    await assert.rejects(search(engine, { index: 'customers' }), SearchUnavailableError);
    await gate.up();
    assert.equal((await search(engine, { index: 'customers' })).total, 0);
  });

  test('a cluster that stops answering: SearchUnavailableError after the timeout, not a hang', async () => {
    const gate = await startElasticsearchGate();
    closers.push(() => gate.close());
    const { engine } = engineFor({ url: gate.url, timeoutMs: 300 });
    await engine.ensureReady();
    gate.stall();
    const started = Date.now();
    await assert.rejects(search(engine, { index: 'orders' }), SearchUnavailableError);
    await assert.rejects(engine.health(), SearchUnavailableError);
    // Not ready yet either: making the indexes must not hold a search past its timeout.
    const cold = engineFor({ url: gate.url, timeoutMs: 300 }).engine;
    await assert.rejects(search(cold, { index: 'orders' }), SearchUnavailableError);
    assert.ok(Date.now() - started < 3_000, `took ${Date.now() - started} ms`);
    gate.open();
  });
});

describe('queries', () => {
  test('phrase, not, keyword on dates and numbers, filters, field sort with after paging', async () => {
    const { engine } = engineFor();
    await engine.upsert('orders', [
      order('o1', { product_name: 'Laptop Pro 14', ordered_at: '2025-01-15T10:00:00Z', amount: 100.1 }),
      order('o2', { product_name: 'Pro Laptop Stand', ordered_at: '2025-02-15T10:00:00Z', amount: 20.2, status: 'refunded' }),
      order('o3', { product_name: 'Mouse', ordered_at: '2025-02-15T23:30:00Z', amount: 5.05, quantity: 7 }),
    ]);
    const ids = async (request: Partial<LexicalRequest>) => (await search(engine, { index: 'orders', ...request })).hits.map((hit) => hit.id);
    assert.deepEqual(await ids({ clause: { kind: 'phrase', words: ['laptop', 'pro'] } }), ['o1']);
    assert.deepEqual((await ids({ clause: words('laptop') })).sort(), ['o1', 'o2']);
    assert.deepEqual(await ids({ clause: { kind: 'not', child: words('laptop') } }), ['o3']);
    assert.deepEqual((await ids({ clause: { kind: 'keyword', field: 'ordered_at', value: '2025-02-15' } })).sort(), ['o2', 'o3']);
    assert.deepEqual(await ids({ clause: { kind: 'keyword', field: 'quantity', value: '7' } }), ['o3']);
    // A value the field cannot hold matches nothing instead of failing the request.
    assert.deepEqual(await ids({ clause: { kind: 'keyword', field: 'quantity', value: '"}]DROP' } }), []);
    assert.deepEqual(await ids({ clause: { kind: 'keyword', field: 'ordered_at', value: 'now-1d' } }), []);
    assert.deepEqual(await ids({ filters: [{ field: 'amount', kind: 'range', gte: 20.2, lt: 100.1 }] }), ['o2']);
    assert.deepEqual(await ids({ filters: [{ field: 'status', kind: 'terms', values: ['paid'] }], sort: [{ field: 'amount', dir: 'desc' }] }), ['o1', 'o3']);

    const page1 = await search(engine, { index: 'orders', sort: [{ field: 'ordered_at', dir: 'desc' }], limit: 2 });
    assert.deepEqual(page1.hits.map((hit) => hit.id), ['o3', 'o2']);
    assert.deepEqual(page1.hits[1]!.sortValues, ['2025-02-15T10:00:00.000Z', 'o2']);
    const page2 = await search(engine, { index: 'orders', sort: [{ field: 'ordered_at', dir: 'desc' }], limit: 2, after: page1.hits[1]!.sortValues });
    assert.deepEqual(page2.hits.map((hit) => hit.id), ['o1']);
    assert.equal(page2.total, 3);

    const stats = await search(engine, { index: 'orders', facets: [{ name: 'amount', kind: 'stats', field: 'amount' }] });
    assert.deepEqual(stats.stats.amount, { count: 3, min: 5.05, max: 100.1, avg: 41.78, sum: 125.35 });
  });
});

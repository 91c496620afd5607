/**
 * Search through the cache, and the warm-cache workflow: a repeated query skips
 * the model, searches are counted per tenant, and the workflow puts the busiest
 * queries' vectors into Redis, where a new API process finds them without loading.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { startApi } from '../../api/server.ts';
import { createCache } from '../../lib/cache/index.ts';
import { loadConfig } from '../../lib/config.ts';
import { createPlatform } from '../../lib/platform.ts';
import { createQueryEmbeddings } from '../../lib/search/query-embeddings.ts';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';

describe('search vectors in the cache, warmed by a workflow', () => {
  let t: TestPlatform;
  let temporal: Client;
  const search = async (q: string) => {
    const response = await fetch(`${t.api.url}/v1/search/semantic?q=${encodeURIComponent(q)}&k=3`);
    assert.equal(response.status, 200);
  };

  before(async () => {
    t = await startTestPlatform('postgres');
    temporal = new Client({ connection: await Connection.connect({ address: t.platform.config.TEMPORAL_ADDRESS }) });
  });
  after(async () => {
    await temporal?.connection.close();
    await t?.close();
  });

  test('a repeated query is answered without the model, and every search is counted', async () => {
    const before = t.platform.cache.metrics().loads;
    await search('出差住宿标准');
    assert.equal(t.platform.cache.metrics().loads, before + 1, 'the first search embeds its query');
    await search('出差住宿标准');
    await search('  出差住宿标准 ');
    assert.equal(t.platform.cache.metrics().loads, before + 1, 'the same query (trimmed) is not embedded again');
    await search('retention of invoices');
    const { rows } = await t.platform.db.query<{ query: string; searches: string }>(
      'select query, searches from search_queries where tenant = $1 order by searches desc',
      ['default'],
    );
    assert.deepEqual(
      rows.map((r) => [r.query, Number(r.searches)]),
      [
        ['出差住宿标准', 3],
        ['retention of invoices', 1],
      ],
    );
  });

  test('the warm-cache workflow puts the busiest queries in Redis for every API process', async () => {
    await t.platform.db.query(`insert into search_queries (tenant, query, searches) values ('default', 'never searched here before', 50)`);
    const run = await temporal.workflow.execute('warmCache', {
      taskQueue: t.env.INGEST_TASK_QUEUE!,
      workflowId: `warm-cache-test-${randomUUID()}`,
      args: [{ queries: 10 }],
    });
    assert.deepEqual(run, { queries: 3, warmed: 3, failed: 0 });
    // A second process: same Redis and prefix, an empty L1.
    const other = createCache({ prefix: t.platform.config.CACHE_PREFIX, redis: { url: t.platform.config.REDIS_URL! } });
    try {
      await other.ready(2_000);
      const vectors = createQueryEmbeddings(other, t.platform.embedder);
      const warmed = await vectors.embed('never searched here before');
      const direct = await t.platform.embedder.embedQuery('never searched here before');
      assert.deepEqual(Array.from(warmed), Array.from(direct));
      const metrics = other.metrics();
      assert.equal(metrics.loads, 0, 'the vector came from Redis, not the model');
      assert.equal(metrics.l2.hits, 1);
    } finally {
      await other.close();
    }
  });

  test('a new API process preloads the busiest queries at start, from Redis, without the model', async () => {
    const config = loadConfig({ ...process.env, ...t.env });
    const platform = await createPlatform(config);
    const api = await startApi(platform, 0);
    try {
      const deadline = Date.now() + 20_000;
      while (platform.cache.metrics().l1.entries < 3) {
        assert.ok(Date.now() < deadline, `not preloaded: ${JSON.stringify(platform.cache.metrics())}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(platform.cache.metrics().loads, 0, 'every preloaded vector came from Redis');
      assert.ok(platform.cache.metrics().l2.hits >= 3);
    } finally {
      await api.close();
      await platform.close();
    }
  });
});


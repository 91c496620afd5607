import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCache } from '../../../lib/cache/index.ts';

function counter<T>(answer: (n: number) => T) {
  const loader = async () => {
    loader.calls += 1;
    return answer(loader.calls);
  };
  loader.calls = 0;
  return loader;
}

test('a loader answering undefined is cached as "does not exist" for the negative TTL only', async () => {
  const cache = createCache({ defaults: { ttl: '1h', negativeTtl: 60, jitter: 0 } });
  const missing = counter(() => undefined);
  for (let i = 0; i < 10; i++) assert.equal(await cache.getOrSet('doc:404', missing), undefined);
  assert.equal(missing.calls, 1);
  assert.equal(cache.metrics().negativeHits, 9);
  await sleep(80);
  await cache.getOrSet('doc:404', missing);
  assert.equal(missing.calls, 2, 'the negative entry expired after its own short TTL');
});

test('invalidateTags drops every entry under the tag, and only those', async () => {
  const cache = createCache();
  const load = counter((n) => n);
  await cache.getOrSet('a', load, { tags: ['kb:1'] });
  await cache.getOrSet('b', load, { tags: ['kb:1', 'report:9'] });
  await cache.getOrSet('c', load, { tags: ['kb:2'] });
  await cache.invalidateTags(['kb:1']);
  assert.equal(await cache.get('a'), undefined);
  assert.equal(await cache.get('b'), undefined);
  assert.equal(await cache.get('c'), 3);
  assert.equal(await cache.getOrSet('a', load, { tags: ['kb:1'] }), 4, 'reloaded after invalidation');
  assert.equal(await cache.getOrSet('a', load, { tags: ['kb:1'] }), 4, 'and cached again under the new version');
});

test('an invalidated entry is not served stale even within its grace period', async () => {
  const cache = createCache({ defaults: { ttl: 20, grace: '1h', jitter: 0 } });
  await cache.getOrSet('a', async () => 'old', { tags: ['t'] });
  await sleep(30);
  await cache.invalidateTags(['t']);
  assert.equal(await cache.getOrSet('a', async () => 'new', { tags: ['t'] }), 'new');
});

test('delete and set replace what getOrSet answers', async () => {
  const cache = createCache();
  await cache.set('k', { n: 1 });
  assert.deepEqual(await cache.getOrSet('k', async () => ({ n: 2 })), { n: 1 });
  await cache.delete('k');
  assert.equal(await cache.get('k'), undefined);
  assert.deepEqual(await cache.getOrSet('k', async () => ({ n: 3 })), { n: 3 });
});

test('namespaces keep keys apart and clearNamespace drops only theirs', async () => {
  const cache = createCache();
  const docs = cache.namespace('docs');
  const reports = cache.namespace('reports');
  const nested = docs.namespace('tenant-a');
  await docs.set('1', 'doc one');
  await reports.set('1', 'report one');
  await nested.set('1', 'tenant doc');
  await cache.set('1', 'root one');
  assert.equal(await docs.get('1'), 'doc one');
  assert.equal(await reports.get('1'), 'report one');
  assert.equal(await cache.get('docs:1'), 'doc one', 'a namespace is a key prefix');
  await docs.clearNamespace();
  assert.equal(await docs.get('1'), undefined);
  assert.equal(await nested.get('1'), undefined, 'nested namespaces are cleared with their parent');
  assert.equal(await reports.get('1'), 'report one');
  assert.equal(await cache.get('1'), 'root one');
  await nested.set('2', 'x');
  await nested.clearNamespace();
  assert.equal(await nested.get('2'), undefined);
});

test('wrap caches an async function by the key its arguments give', async () => {
  const cache = createCache();
  let calls = 0;
  const findDocument = cache.wrap(
    async (tenant: string, id: number) => {
      calls += 1;
      return { tenant, id };
    },
    { key: (tenant, id) => `doc:${tenant}:${id}`, tags: ['documents'] },
  );
  assert.deepEqual(await findDocument('a', 1), { tenant: 'a', id: 1 });
  assert.deepEqual(await findDocument('a', 1), { tenant: 'a', id: 1 });
  assert.deepEqual(await findDocument('b', 1), { tenant: 'b', id: 1 });
  assert.equal(calls, 2);
  await cache.invalidateTags(['documents']);
  await findDocument('a', 1);
  assert.equal(calls, 3, 'wrap options (tags) apply to the cached entries');
});

test('a preset sets the TTL; explicit options override it', async () => {
  const cache = createCache({ defaults: { jitter: 0 } });
  const load = counter((n) => n);
  await cache.getOrSet('hot', load, { preset: 'hot', ttl: 40, grace: false });
  await cache.getOrSet('cold', load, { preset: 'cold' });
  await sleep(60);
  await cache.getOrSet('hot', load, { preset: 'hot', ttl: 40, grace: false });
  await cache.getOrSet('cold', load, { preset: 'cold' });
  assert.equal(load.calls, 3);
});

test('L1 is bounded by entries and by bytes', async () => {
  const byCount = createCache({ l1: { maxEntries: 10 } });
  for (let i = 0; i < 50; i++) await byCount.set(`k${i}`, i);
  assert.equal(byCount.metrics().l1.entries, 10);
  assert.equal(await byCount.get('k0'), undefined, 'the least recently used went first');
  assert.equal(await byCount.get('k49'), 49);
  const bySize = createCache({ l1: { maxBytes: 10_000 } });
  for (let i = 0; i < 50; i++) await bySize.set(`k${i}`, 'x'.repeat(1_000));
  assert.ok(bySize.metrics().l1.bytes <= 10_000);
  assert.ok(bySize.metrics().l1.entries < 10);
});

test('hot keys are counted and the busiest come first; warm preloads keys', async () => {
  const cache = createCache({ hotKeys: { capacity: 3 } });
  for (let i = 0; i < 20; i++) await cache.getOrSet('busy', async () => 1);
  for (let i = 0; i < 10; i++) await cache.getOrSet('warm', async () => 1);
  for (let i = 0; i < 100; i++) await cache.getOrSet(`once-${i}`, async () => 1);
  assert.deepEqual(cache.hotKeys(2), [{ key: 'busy', count: 20 }, { key: 'warm', count: 10 }]);

  const fresh = createCache();
  let loads = 0;
  const result = await fresh.warm([
    ...['a', 'b', 'c'].map((key) => ({ key, loader: async () => (loads += 1) })),
    { key: 'bad', loader: async () => Promise.reject(new Error('no')) },
  ]);
  assert.deepEqual(result, { warmed: 3, failed: 1 });
  assert.equal(fresh.metrics().l1.entries, 3);
  await fresh.getOrSet('a', async () => (loads += 1));
  assert.equal(loads, 3, 'a warmed key is a hit');
});

test('an existence filter answers ruled-out ids without the loader; added ids go through', async () => {
  const cache = createCache();
  const filter = cache.createExistenceFilter({ name: 'documents', expectedItems: 1_000, load: () => ['doc-1', 'doc-2'] });
  let loads = 0;
  const find = (id: string) => cache.getOrSet(`doc:${id}`, async () => (loads += 1, id.startsWith('doc-') ? id : undefined), { existence: { filter, id } });
  assert.equal(await find('nope'), undefined);
  assert.equal(loads, 1, 'before seeding the filter rules nothing out');
  await filter.seed();
  for (let i = 0; i < 100; i++) await find(`missing-${i}`);
  assert.ok(loads <= 1 + 5, `at most a few false positives reached the loader (${loads - 1})`);
  const before = loads;
  assert.equal(await find('doc-1'), 'doc-1');
  filter.add('doc-3');
  assert.equal(await find('doc-3'), 'doc-3');
  assert.equal(loads, before + 2);
  assert.ok(cache.metrics().filterRejections >= 95);
  assert.throws(() => cache.createExistenceFilter({ name: 'documents', expectedItems: 10, load: () => [] }), /already exists/);
  assert.throws(() => cache.createExistenceFilter({ name: 'x', expectedItems: 0, load: () => [] }), /"expectedItems"/);
});

test('metrics count hits and misses per tier; embedded mode has no circuit', async () => {
  const cache = createCache();
  await cache.getOrSet('k', async () => 1);
  await cache.getOrSet('k', async () => 1);
  const metrics = cache.metrics();
  assert.equal(metrics.l1.hits, 1);
  assert.equal(metrics.l1.misses, 1);
  assert.equal(metrics.loads, 1);
  assert.equal(metrics.l2.hits + metrics.l2.misses, 0);
  assert.deepEqual(metrics.circuit, { state: 'none', opens: 0 });
  await cache.ready();
  await cache.close();
});

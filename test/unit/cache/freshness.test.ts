import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCache, CacheLoadTimeoutError } from '../../../lib/cache/index.ts';
import { jitteredTtl } from '../../../lib/cache/entry.ts';

/** A loader that counts its calls and answers `value-<n>` after `delayMs`. */
function countingLoader(delayMs = 0) {
  const loader = async () => {
    loader.calls += 1;
    const n = loader.calls;
    if (delayMs > 0) await sleep(delayMs);
    return `value-${n}`;
  };
  loader.calls = 0;
  return loader;
}

test('a value is fresh for its TTL, then loaded again', async () => {
  const cache = createCache({ defaults: { ttl: 80, grace: false, jitter: 0 } });
  const load = countingLoader();
  assert.equal(await cache.getOrSet('k', load), 'value-1');
  assert.equal(await cache.getOrSet('k', load), 'value-1');
  assert.equal(load.calls, 1);
  await sleep(100);
  assert.equal(await cache.getOrSet('k', load), 'value-2');
  assert.equal(load.calls, 2);
});

test('per-key TTL overrides the default', async () => {
  const cache = createCache({ defaults: { ttl: '1h', jitter: 0 } });
  const load = countingLoader();
  await cache.getOrSet('short', load, { ttl: 30, grace: false });
  await cache.getOrSet('long', load);
  await sleep(50);
  await cache.getOrSet('short', load, { ttl: 30, grace: false });
  await cache.getOrSet('long', load);
  assert.equal(load.calls, 3);
});

test('jitter shortens a TTL by at most its fraction, and does spread expiries', () => {
  const ttls = Array.from({ length: 2_000 }, () => jitteredTtl(10_000, 0.2));
  assert.ok(Math.min(...ttls) >= 8_000, `min ${Math.min(...ttls)}`);
  assert.ok(Math.max(...ttls) <= 10_000, `max ${Math.max(...ttls)}`);
  assert.ok(new Set(ttls).size > 100, 'jittered TTLs are spread out');
  assert.equal(jitteredTtl(10_000, 0.2, () => 1), 8_000);
  assert.equal(jitteredTtl(10_000, 0, () => 1), 10_000);
});

test('jittered entries expire inside [ttl·(1−j), ttl]', async () => {
  const cache = createCache({ defaults: { ttl: 400, jitter: 0.5, grace: false } });
  const load = countingLoader();
  await Promise.all(Array.from({ length: 50 }, (_, i) => cache.getOrSet(`k${i}`, load)));
  await sleep(80); // < 200 ms = 400·(1−0.5): nothing expired yet
  await Promise.all(Array.from({ length: 50 }, (_, i) => cache.getOrSet(`k${i}`, load)));
  assert.equal(load.calls, 50);
  await sleep(350); // > 400 ms since written: everything expired
  await Promise.all(Array.from({ length: 50 }, (_, i) => cache.getOrSet(`k${i}`, load)));
  assert.equal(load.calls, 100);
});

test('within grace a stale value is answered at once while exactly one refresh runs', async () => {
  const cache = createCache({ defaults: { ttl: 50, grace: '10s', jitter: 0 } });
  const load = countingLoader(300);
  assert.equal(await cache.getOrSet('k', load), 'value-1');
  await sleep(70);
  const started = Date.now();
  // The refresh stores its value with the options of the call that started it: fresh for a minute.
  const answers = await Promise.all(Array.from({ length: 20 }, () => cache.getOrSet('k', load, { ttl: '1m' })));
  assert.ok(Date.now() - started < 150, 'stale answers do not wait for the 300 ms refresh');
  assert.deepEqual(new Set(answers), new Set(['value-1']));
  assert.equal(load.calls, 2, 'one background refresh for 20 stale reads');
  await sleep(350);
  assert.equal(await cache.getOrSet('k', load), 'value-2');
  assert.equal(load.calls, 2);
  assert.ok(cache.metrics().staleServes >= 20);
});

test('a failing refresh keeps the stale value for callers', async () => {
  const cache = createCache({ defaults: { ttl: 30, grace: '10s', jitter: 0, softTimeout: 200, hardTimeout: '1s' } });
  await cache.getOrSet('k', async () => 'old');
  await sleep(50);
  assert.equal(await cache.getOrSet('k', async () => Promise.reject(new Error('database down'))), 'old');
  assert.equal(cache.metrics().errors, 1);
});

test('soft timeout: with a stale value, wait that long for the loader, then answer stale; the load finishes in the background', async () => {
  const cache = createCache({ defaults: { ttl: 30, grace: '10s', jitter: 0 } });
  await cache.getOrSet('k', async () => 'old');
  await sleep(50);
  const slow = countingLoader(400);
  const started = Date.now();
  assert.equal(await cache.getOrSet('k', slow, { softTimeout: 60 }), 'old');
  const waited = Date.now() - started;
  assert.ok(waited >= 55 && waited < 300, `waited ${waited} ms`);
  await sleep(400);
  assert.equal(await cache.get('k'), 'value-1', 'the background load stored its value');
  // A fast loader beats the soft timeout and its fresh value is answered.
  await sleep(40);
  assert.equal(await cache.getOrSet('k', async () => 'quick', { softTimeout: 100 }), 'quick');
});

test('hard timeout fails the caller with E_CACHE_LOAD_TIMEOUT; the load still fills the cache', async () => {
  const cache = createCache({ defaults: { ttl: '1m', jitter: 0 } });
  const slow = countingLoader(150);
  await assert.rejects(
    cache.getOrSet('k', slow, { hardTimeout: 50 }),
    (error: unknown) => error instanceof CacheLoadTimeoutError && error.code === 'E_CACHE_LOAD_TIMEOUT',
  );
  assert.equal(cache.metrics().hardTimeouts, 1);
  await sleep(250);
  assert.equal(await cache.getOrSet('k', slow, { hardTimeout: 50 }), 'value-1');
  assert.equal(slow.calls, 1);
});

test('concurrent callers in one process share one load', async () => {
  const cache = createCache();
  const load = countingLoader(30);
  const answers = await Promise.all(Array.from({ length: 100 }, () => cache.getOrSet('k', load)));
  assert.equal(load.calls, 1);
  assert.deepEqual(new Set(answers), new Set(['value-1']));
  const metrics = cache.metrics();
  assert.equal(metrics.loads, 1);
  assert.equal(metrics.mergedLoads, 99);
});

test('a loader error reaches every joined caller and is not cached', async () => {
  const cache = createCache();
  let calls = 0;
  const failing = async () => {
    calls += 1;
    await sleep(10);
    throw new Error('boom');
  };
  const results = await Promise.allSettled(Array.from({ length: 5 }, () => cache.getOrSet('k', failing)));
  assert.ok(results.every((r) => r.status === 'rejected'));
  assert.equal(calls, 1);
  assert.equal(await cache.getOrSet('k', async () => 'ok'), 'ok');
});

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createCache } from '../../../lib/cache/index.ts';
import { Leases } from '../../../lib/cache/lease.ts';
import { RedisLink } from '../../../lib/cache/redis-link.ts';
import { emptyCounters } from '../../../lib/cache/metrics.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-cache-${randomUUID()}`;
const redis = new Redis(redisUrl);
const closers: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

async function cache(leaseTtl: number) {
  const instance = createCache({ prefix, redis: { url: redisUrl }, lease: { ttl: leaseTtl, pollInterval: 20 }, defaults: { hardTimeout: false } });
  closers.push(() => instance.close());
  await instance.ready();
  return instance;
}

test('a lease left by a crashed holder expires and another process takes over the load', async () => {
  const waiter = await cache(300);
  // A "crashed" process: its lease exists, it will never write a value nor release.
  await redis.set(`${prefix}:l:orphan`, 'dead-process-token', 'PX', 300);
  let loads = 0;
  const started = Date.now();
  assert.equal(await waiter.getOrSet('orphan', async () => (loads += 1)), 1);
  const waited = Date.now() - started;
  assert.equal(loads, 1);
  assert.ok(waited >= 250 && waited < 900, `took over after ${waited} ms (lease 300 ms)`);
  assert.equal(waiter.metrics().remoteWaits, 1);
});

test('a waiting process takes the value another process writes, without loading it', async () => {
  const [holder, waiter] = [await cache(5_000), await cache(5_000)];
  await redis.set(`${prefix}:l:shared`, 'holder-token', 'PX', 5_000);
  setTimeout(() => void holder.set('shared', 'from the holder'), 100);
  let loads = 0;
  const started = Date.now();
  assert.equal(await waiter.getOrSet('shared', async () => (loads += 1, 'from the waiter')), 'from the holder');
  assert.equal(loads, 0);
  assert.ok(Date.now() - started < 1_000, 'woken by the bus, not by the lease expiry');
});

test('a lease is released only by the token that holds it', async () => {
  const link = new RedisLink({ source: { url: redisUrl }, prefix, commandTimeoutMs: 500, failureThreshold: 3, cooldownMs: 1_000, counters: emptyCounters() });
  closers.push(() => link.close());
  await link.ready(2_000);
  const leases = new Leases(link, 100);
  const first = await leases.acquire('k');
  assert.equal(first.state, 'won');
  assert.equal((await leases.acquire('k')).state, 'held');
  await sleep(150); // the first holder overran its lease
  const second = await leases.acquire('k');
  assert.equal(second.state, 'won');
  if (first.state === 'won') await leases.release('k', first.token); // too late: must not free the second's lease
  assert.equal((await leases.acquire('k')).state, 'held');
  if (second.state === 'won') await leases.release('k', second.token);
  assert.equal((await leases.acquire('k')).state, 'won');
});

test('the holder releases its lease after a load, whether the loader succeeds or fails', async () => {
  const instance = await cache(5_000);
  assert.equal(await instance.getOrSet('ok', async () => 'value'), 'value');
  assert.equal(await redis.exists(`${prefix}:l:ok`), 0, 'released with the write');
  await assert.rejects(instance.getOrSet('broken', async () => Promise.reject(new Error('database down'))), /database down/);
  assert.equal(await redis.exists(`${prefix}:l:broken`), 0, 'released after the failure: another process may try at once');
});

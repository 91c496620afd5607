import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createCache } from '../../../lib/cache/index.ts';
import { spawnPeer, type Peer } from './peers.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-cache-${randomUUID()}`;
const redis = new Redis(redisUrl);
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

test('delete, invalidateTags and set on process A reach process B’s L1 within 500 ms', async () => {
  const a = createCache({ prefix, redis: { url: redisUrl } });
  cleanups.push(() => a.close());
  await a.ready();
  const b: Peer = spawnPeer('invalidation-peer.ts', { REDIS_URL: redisUrl, CACHE_PREFIX: prefix });
  cleanups.push(() => b.stop());
  assert.equal(await b.nextLine(), 'ready');
  await sleep(50); // B keeps reading its own L1 meanwhile: nothing may change by itself

  const seen = async (action: () => Promise<void>, expected: { event: string; value: unknown }) => {
    const started = Date.now();
    await action();
    const line = JSON.parse(await b.nextLine(5_000)) as { event: string; value: unknown; at: number };
    assert.deepEqual({ event: line.event, value: line.value }, expected);
    const latency = line.at - started;
    assert.ok(latency < 500, `${expected.event}: seen by B after ${latency} ms`);
    return latency;
  };
  const deleted = await seen(() => a.delete('plain'), { event: 'plain', value: null });
  const invalidated = await seen(() => a.invalidateTags(['kb:1']), { event: 'tagged', value: null });
  const written = await seen(() => a.set('written', 'from A'), { event: 'written', value: 'from A' });
  const done = JSON.parse(await b.nextLine()) as { metrics: Record<string, any> };
  assert.ok(done.metrics.l1.hits > 10, 'B answered from its L1 until told otherwise');
  console.log(`# invalidation latency: delete ${deleted} ms, tags ${invalidated} ms, set ${written} ms`);
});

test('a cache started after a tag bump knows it from Redis (tag versions are read at ready)', async () => {
  const first = createCache({ prefix, redis: { url: redisUrl } });
  cleanups.push(() => first.close());
  await first.ready();
  await first.set('old-chart', 'before', { tags: ['report:7'] });
  await first.invalidateTags(['report:7']);
  await first.set('report', 'after', { tags: ['report:7'] });
  assert.equal(Number(await redis.hget(`${prefix}:tags`, 'report:7')), 1);
  // A cache started after the bump missed its bus message: it reads tag versions at ready().
  const late = createCache({ prefix, redis: { url: redisUrl } });
  cleanups.push(() => late.close());
  await late.ready();
  assert.equal(await late.get('report'), 'after');
  assert.equal(await late.get('old-chart'), undefined, 'an entry written before the bump is still in Redis but invalid');
  assert.equal(await redis.exists(`${prefix}:e:old-chart`), 1);
});

/**
 * Process B of the cross-process invalidation test: caches three keys in its L1,
 * prints `ready`, then reads them every 2 ms and prints `{ event, at }` the
 * moment each one changes (deleted, invalidated by tag, overwritten elsewhere).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createCache } from '../../../lib/cache/index.ts';

const { REDIS_URL, CACHE_PREFIX } = process.env as Record<string, string>;
const cache = createCache({ prefix: CACHE_PREFIX!, redis: { url: REDIS_URL! }, defaults: { ttl: '1m' } });
await cache.ready();
await cache.getOrSet('plain', async () => 'original');
await cache.getOrSet('tagged', async () => 'original', { tags: ['kb:1'] });
await cache.getOrSet('written', async () => 'original');
console.log('ready');

const pending = new Set(['plain', 'tagged', 'written']);
const deadline = Date.now() + 20_000;
while (pending.size > 0 && Date.now() < deadline) {
  for (const key of pending) {
    const value = await cache.get(key);
    if (value !== 'original') {
      pending.delete(key);
      console.log(JSON.stringify({ event: key, value: value ?? null, at: Date.now() }));
    }
  }
  await sleep(2);
}
console.log(JSON.stringify({ event: 'done', metrics: cache.metrics() }));
await cache.close();

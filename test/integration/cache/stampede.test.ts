import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { spawnPeer, type Peer } from './peers.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const peers: Peer[] = [];
after(() => peers.forEach((peer) => peer.stop()));

test('4 processes × 250 concurrent misses on one cold key run the loader exactly once', async () => {
  const prefix = `test-cache-${randomUUID()}`;
  const counterKey = `${prefix}:loader-runs`;
  const redis = new Redis(redisUrl);
  try {
    for (let i = 0; i < 4; i++) {
      peers.push(spawnPeer('stampede-peer.ts', { REDIS_URL: redisUrl, CACHE_PREFIX: prefix, COUNTER_KEY: counterKey, CALLERS: '250' }));
    }
    for (const peer of peers) assert.equal(await peer.nextLine(), 'ready');
    for (const peer of peers) peer.send('go'); // all four start together, on a key none has seen
    const results = await Promise.all(peers.map(async (peer) => JSON.parse(await peer.nextLine()) as Record<string, any>));

    assert.equal(Number(await redis.get(counterKey)), 1, 'the loader ran once across all processes');
    assert.equal(results.reduce((sum, result) => sum + result.count, 0), 1_000);
    const distinct = new Set(results.flatMap((result) => result.answers));
    assert.equal(distinct.size, 1, `all 1000 answers are equal (${[...distinct].join(' | ')})`);
    assert.equal(results.reduce((sum, result) => sum + result.metrics.loads, 0), 1);
    // Inside each process the 250 callers shared one flight.
    for (const result of results) assert.equal(result.metrics.mergedLoads, 249);
  } finally {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
});

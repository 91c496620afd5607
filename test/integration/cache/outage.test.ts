import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createCache } from '../../../lib/cache/index.ts';
import { startPrivateRedis, type PrivateRedis } from '../../helpers/redis-server.ts';

let server: PrivateRedis | undefined;
const closers: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
  await server?.stop();
});

/** Polls `condition` every 20 ms for at most `ms`; true once it holds. */
async function within(ms: number, condition: () => boolean | Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(20);
  }
  return condition();
}

test('Redis dies mid-load and comes back: no caller errors, answers from L1 and the loader, then L2 resumes by itself', async () => {
  server = await startPrivateRedis(); // our own server: the shared one on 6379 is never stopped
  const prefix = `test-cache-${randomUUID()}`;
  const options = { prefix, redis: { url: server.url }, circuit: { failureThreshold: 3, cooldown: 200 }, commandTimeout: 200, defaults: { ttl: '1m' } };
  const cache = createCache(options);
  closers.push(() => cache.close());
  await cache.ready();

  // Load: 10 callers, alternating a warm key (k0..k99, in L1) and a key never seen (L2 read, lease,
  // load, L2 write: Redis stays in the path), checking every answer.
  let running = true;
  let calls = 0;
  const failures: unknown[] = [];
  const circuitStates = new Set<string>();
  const caller = async (seed: number) => {
    for (let i = seed; running; i += 7) {
      const key = i % 2 ? `k${i % 100}` : `new-${seed}-${i}`;
      try {
        const value = await cache.getOrSet(key, async () => `value-${key}`);
        if (value !== `value-${key}`) failures.push(new Error(`${key} answered ${String(value)}`));
      } catch (error) {
        failures.push(error);
      }
      calls += 1;
      circuitStates.add(cache.metrics().circuit.state);
      if (i % 10 === 0) await sleep(1);
    }
  };
  for (let i = 0; i < 100; i++) await cache.getOrSet(`k${i}`, async () => `value-k${i}`);
  assert.equal(cache.metrics().l2.writes, 100);
  const load = Promise.all(Array.from({ length: 10 }, (_, seed) => caller(seed)));
  let restartedWrites: number;
  try {
    await sleep(200);
    await server.kill();
    const killedAt = calls;
    assert.ok(await within(2_000, () => cache.metrics().circuit.state !== 'closed'), 'the circuit opened');
    await sleep(500); // keep calling through the outage
    assert.ok(calls > killedAt + 100, `callers kept being answered during the outage (${calls - killedAt} calls)`);

    await server.restart(); // same port, empty
    restartedWrites = cache.metrics().l2.writes;
    assert.ok(await within(5_000, () => cache.metrics().circuit.state === 'closed'), 'the circuit closed by itself');
    await sleep(200);
  } finally {
    running = false; // a failed assertion above must not leave the callers looping
    await load;
  }

  assert.deepEqual(failures, [], 'no caller saw an error or a wrong answer');
  assert.ok(circuitStates.has('open'), 'callers ran while the circuit was open');
  assert.ok(cache.metrics().circuit.opens >= 1);

  // L2 is used again by the very same cache object: its writes land in Redis, and it reads what others write.
  await cache.getOrSet('after-recovery', async () => 'fresh');
  assert.ok(cache.metrics().l2.writes > restartedWrites, 'L2 writes resumed');
  const raw = new Redis(server.url);
  closers.push(() => raw.disconnect());
  assert.equal(await raw.exists(`${prefix}:e:after-recovery`), 1);
  const other = createCache(options);
  closers.push(() => other.close());
  await other.ready();
  await other.set('from-other', 'shared');
  const l2Hits = cache.metrics().l2.hits;
  assert.equal(await cache.get('from-other'), 'shared');
  assert.equal(cache.metrics().l2.hits, l2Hits + 1, 'L2 hits resumed');

  // And the bus is subscribed again: a delete on the other instance clears this one's L1.
  await other.delete('after-recovery');
  assert.ok(await within(500, async () => (await cache.get('after-recovery')) === undefined), 'bus invalidation resumed');
});

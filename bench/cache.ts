/**
 * bench/cache: our tiered cache (lib/cache) against bentocache, in the same run,
 * on the same Redis, with the same values. Not a test: `npm run bench:cache`.
 *
 * Both sides are configured alike: memory L1 (10,000 entries, 64 MB) + Redis L2 +
 * Redis pub/sub bus, TTL 5 min, grace 30 min, no soft timeout, 10 s hard timeout,
 * and a circuit breaker on L2. One difference cannot be configured away:
 * bentocache's L1 keeps serialized strings when bounded by bytes (its `maxSize`
 * needs `serialize: true`), ours keeps the objects and only measures their
 * serialized length; and bentocache's single-flight is per process (a local
 * mutex), ours also takes a Redis lease so several processes load once.
 *
 * Scenarios (ops/s, higher is better; each side run twice, alternately, best kept):
 *   l1-hit         get() of a key in L1
 *   tiered-hit     get() of keys in L2 through an instance whose L1 is cold
 *   getOrSet-hit   getOrSet() of a key in L1
 *   miss-loader    getOrSet() of keys never seen; the loader answers at once
 *   stampede       500 concurrent getOrSet() on one cold key (loader 5 ms), callers answered per second
 * Also printed, not counted: l1-hit and getOrSet-hit against bentocache with
 * `serialize: false` (objects in L1 like ours, bounded by count only).
 * Headline (last line): ours/peer = ops/s of getOrSet-hit; ratio = geometric mean of
 * the five scenario ratios (ours ÷ peer; > 1 means we are faster).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisBusDriver, redisDriver } from 'bentocache/drivers/redis';
import { Redis } from 'ioredis';
import { createCache, type Cache } from '../lib/cache/index.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const runId = randomUUID().slice(0, 8);
const hitOps = Number(process.env.BENCH_HIT_OPS ?? 200_000);
const tieredKeys = Number(process.env.BENCH_TIERED_KEYS ?? 5_000);
const missKeys = Number(process.env.BENCH_MISS_KEYS ?? 3_000);
const stampedeRounds = Number(process.env.BENCH_STAMPEDE_ROUNDS ?? 40);
const concurrency = 50;

/** A ~1 KB document, as an API would cache it. */
const value = (i: number) => ({ id: `doc-${i}`, title: `Document ${i}`, tags: ['kb:1', 'finance'], body: '报销政策 travel policy '.repeat(40) });

/** The operations a scenario needs, over either cache. */
interface Side {
  get(key: string): Promise<unknown>;
  set(key: string, v: unknown): Promise<unknown>;
  getOrSet(key: string, loader: () => Promise<unknown>): Promise<unknown>;
  /** Another instance on the same Redis, its L1 empty. */
  coldReader(): Promise<Side & { close(): Promise<void> }>;
  close(): Promise<void>;
}

async function ours(prefix: string): Promise<Side> {
  const make = async (): Promise<Cache> => {
    const cache = createCache({ prefix, redis: { url: redisUrl }, l1: { maxEntries: 10_000, maxBytes: 64 * 1024 * 1024 } });
    await cache.ready();
    return cache;
  };
  const wrap = (cache: Cache) => ({
    get: (key: string) => cache.get(key),
    set: (key: string, v: unknown) => cache.set(key, v),
    getOrSet: (key: string, loader: () => Promise<unknown>) => cache.getOrSet(key, loader),
    coldReader: async () => wrap(await make()),
    close: () => cache.close(),
  });
  return wrap(await make());
}

/** bentocache; `objects` keeps L1 values unserialized (then it cannot be bounded by bytes). */
async function peer(prefix: string, objects = false): Promise<Side> {
  const url = new URL(redisUrl);
  const connection = { host: url.hostname, port: Number(url.port || 6379) };
  const make = () =>
    new BentoCache({
      default: 'tiered',
      prefix,
      ttl: '5m',
      grace: '30m',
      timeout: 0,
      hardTimeout: '10s',
      l2CircuitBreakerDuration: '1s',
      stores: {
        tiered: bentostore()
          .useL1Layer(memoryDriver(objects ? { maxItems: 10_000, serialize: false } : { maxItems: 10_000, maxSize: '64mb' }))
          .useL2Layer(redisDriver({ connection }))
          .useBus(redisBusDriver({ connection })),
      },
    });
  const wrap = (bento: BentoCache<any>) => ({
    get: (key: string) => bento.get({ key }),
    set: (key: string, v: unknown) => bento.set({ key, value: v }),
    getOrSet: (key: string, loader: () => Promise<unknown>) => bento.getOrSet({ key, factory: loader }),
    coldReader: async () => wrap(make()),
    close: () => bento.disconnect(),
  });
  return wrap(make());
}

/** Runs `op(i)` for i < n, `width` at a time; answers ops per second. */
async function measure(n: number, width: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) await op(next++);
    }),
  );
  return n / (Number(process.hrtime.bigint() - started) / 1e9);
}

type Scenario = (side: Side, round: string) => Promise<number>;

const scenarios: Record<string, Scenario> = {
  'l1-hit': async (side) => {
    await side.set('l1', value(1));
    return measure(hitOps, 1, () => side.get('l1'));
  },
  'tiered-hit': async (side, round) => {
    await measure(tieredKeys, concurrency, (i) => side.set(`tiered-${round}-${i}`, value(i)));
    const reader = await side.coldReader();
    await sleep(100); // let the bus settle, so the reader's own start does not count
    const ops = await measure(tieredKeys, concurrency, (i) => reader.get(`tiered-${round}-${i}`));
    await reader.close();
    return ops;
  },
  'getOrSet-hit': async (side) => {
    await side.getOrSet('hit', async () => value(2));
    return measure(hitOps, 1, () => side.getOrSet('hit', async () => value(2)));
  },
  'miss-loader': async (side, round) => measure(missKeys, concurrency, (i) => side.getOrSet(`miss-${round}-${i}`, async () => value(i))),
  stampede: async (side, round) => {
    let loads = 0;
    const callers = 500;
    const ops = await measure(stampedeRounds, 1, (r) =>
      Promise.all(
        Array.from({ length: callers }, () =>
          side.getOrSet(`stampede-${round}-${r}`, async () => {
            loads += 1;
            await sleep(5);
            return value(r);
          }),
        ),
      ),
    );
    if (loads !== stampedeRounds) console.log(`  (stampede: ${loads} loads for ${stampedeRounds} keys)`);
    return ops * callers;
  },
};

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));

async function main() {
  const prefixes = { ours: `bench-cache-${runId}-ours`, peer: `bench-cache-${runId}-peer` };
  const sides = { ours: await ours(prefixes.ours), peer: await peer(prefixes.peer) };
  const ratios: number[] = [];
  let headline = { ours: 0, peer: 0 };
  try {
    // Warm-up: the JIT, the connections and the Lua script cache, on both sides.
    for (const side of Object.values(sides)) await measure(2_000, 10, (i) => side.getOrSet(`warm-${i % 100}`, async () => value(i)));
    for (const [name, scenario] of Object.entries(scenarios)) {
      const best = { ours: 0, peer: 0 };
      for (const round of ['a', 'b']) {
        for (const who of ['ours', 'peer'] as const) best[who] = Math.max(best[who], await scenario(sides[who], `${who}-${round}`));
      }
      const ratio = best.ours / best.peer;
      ratios.push(ratio);
      if (name === 'getOrSet-hit') headline = best;
      console.log(`${name.padEnd(13)} ours=${fmt(best.ours)} ops/s  peer=${fmt(best.peer)} ops/s  ratio=${ratio.toFixed(2)}`);
    }
    // The L1 difference without serialization: bentocache keeping objects, bounded by count only.
    const objects = await peer(`bench-cache-${runId}-peer-objects`, true);
    try {
      for (const name of ['l1-hit', 'getOrSet-hit']) {
        const ops = Math.max(await scenarios[name]!(objects, 'a'), await scenarios[name]!(objects, 'b'));
        console.log(`  (${name} with bentocache serialize:false: peer=${fmt(ops)} ops/s; not in the headline)`);
      }
    } finally {
      await objects.close();
    }
  } finally {
    await sides.ours.close();
    await sides.peer.close();
    const redis = new Redis(redisUrl);
    for (const prefix of [...Object.values(prefixes), `bench-cache-${runId}-peer-objects`]) {
      const keys = await redis.keys(`${prefix}*`);
      for (let i = 0; i < keys.length; i += 1_000) await redis.del(...keys.slice(i, i + 1_000));
    }
    redis.disconnect();
  }
  const geomean = Math.exp(ratios.reduce((sum, r) => sum + Math.log(r), 0) / ratios.length);
  // Headline: ops/s of getOrSet-hit on each side; ratio = geometric mean of all five scenario ratios.
  console.log(`cache: ours=${Math.round(headline.ours)} ops/s peer=${Math.round(headline.peer)} ops/s ratio=${geomean.toFixed(2)}`);
}

await main();

/**
 * One "API process" of the stampede test: waits for `go` on stdin, then fires
 * CALLERS concurrent getOrSet for one cold key, whose loader INCRs a Redis
 * counter and takes ~200 ms. Prints one JSON line with its answers and metrics.
 */
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createCache } from '../../../lib/cache/index.ts';

const { REDIS_URL, CACHE_PREFIX, COUNTER_KEY, CALLERS } = process.env as Record<string, string>;
const cache = createCache({ prefix: CACHE_PREFIX!, redis: { url: REDIS_URL! } });
const counter = new Redis(REDIS_URL!);
await cache.ready();

const loader = async () => {
  await counter.incr(COUNTER_KEY!);
  await sleep(200);
  return { loadedBy: process.pid, nonce: randomUUID() }; // differs per load: two loads would show
};

const lines = createInterface({ input: process.stdin });
console.log('ready');
for await (const line of lines) {
  if (line !== 'go') continue;
  const answers = await Promise.all(Array.from({ length: Number(CALLERS) }, () => cache.getOrSet('cold-key', loader)));
  console.log(JSON.stringify({ answers: [...new Set(answers.map((a) => JSON.stringify(a)))], count: answers.length, metrics: cache.metrics() }));
  break;
}
lines.close();
counter.disconnect();
await cache.close();

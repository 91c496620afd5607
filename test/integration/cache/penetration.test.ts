import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createCache } from '../../../lib/cache/index.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-cache-${randomUUID()}`;
const redis = new Redis(redisUrl);
const a = createCache({ prefix, redis: { url: redisUrl } });
const b = createCache({ prefix, redis: { url: redisUrl } });
after(async () => {
  await a.close();
  await b.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

/** The "database": 1,000 documents; each query is counted. */
const existing = new Set(Array.from({ length: 1_000 }, (_, i) => `doc-${i}`));
let queries = 0;
const findDocument = async (id: string) => {
  queries += 1;
  return existing.has(id) ? { id } : undefined;
};

test('10,000 lookups of ids that do not exist reach the database a bounded number of times', async () => {
  await Promise.all([a.ready(), b.ready()]);
  const errorRate = 0.05; // high on purpose, so some false positives exercise the negative cache
  const filters = [a, b].map((cache) => cache.createExistenceFilter({ name: 'documents', expectedItems: 1_000, errorRate, load: () => existing }));
  await Promise.all(filters.map((filter) => filter.seed()));
  const lookup = (cache: typeof a, filter: (typeof filters)[number], id: string) =>
    cache.getOrSet(`doc:${id}`, () => findDocument(id), { existence: { filter, id }, negativeTtl: '1m' });

  // 2,000 made-up ids, each asked 5 times, alternately through each instance: 10,000 lookups.
  const made = Array.from({ length: 2_000 }, (_, i) => `ghost-${i}`);
  for (let round = 0; round < 5; round++) {
    await Promise.all(
      made.map((id, i) => {
        const side = (i + round) % 2;
        return lookup(side ? a : b, filters[side]!, id).then((value) => assert.equal(value, undefined));
      }),
    );
  }
  // Only the filter's false positives get through, each exactly once: after that it is a cached
  // "does not exist", which the other instance finds in L2.
  const falsePositives = made.filter((id) => filters[0]!.mightContain(id)).length;
  const bound = Math.ceil(made.length * errorRate * 2);
  assert.ok(falsePositives > 0 && falsePositives <= bound, `${falsePositives} false positives (bound ${bound})`);
  assert.equal(queries, falsePositives, `${queries} database queries for 10,000 lookups`);
  const rejections = a.metrics().filterRejections + b.metrics().filterRejections;
  assert.equal(rejections + queries + a.metrics().negativeHits + b.metrics().negativeHits, 10_000);
  console.log(`# ${queries} queries, ${rejections} filter rejections`);

  // No false negatives: every existing id still reaches the database.
  queries = 0;
  for (const id of ['doc-0', 'doc-500', 'doc-999']) assert.deepEqual(await lookup(a, filters[0]!, id), { id });
  assert.equal(queries, 3);
});

test('an id added on one instance passes the other instance’s filter (adds travel on the bus)', async () => {
  const filterA = a.createExistenceFilter({ name: 'reports', expectedItems: 100, load: () => [] });
  const filterB = b.createExistenceFilter({ name: 'reports', expectedItems: 100, load: () => [] });
  await Promise.all([filterA.seed(), filterB.seed()]);
  assert.equal(filterB.mightContain('report-42'), false);
  filterA.add('report-42');
  assert.equal(filterA.mightContain('report-42'), true, 'the writer sees its id at once');
  const deadline = Date.now() + 500;
  while (!filterB.mightContain('report-42') && Date.now() < deadline) await sleep(2);
  assert.equal(filterB.mightContain('report-42'), true, 'the other instance learned it within 500 ms');
});

/**
 * Rate limits against real Redis: IETF headers, 429 + Retry-After, budgets shared
 * by two app instances, expensive routes on their own budget, and both policies
 * when Redis dies (a private redis-server this suite starts and kills).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { Redis } from 'ioredis';
import { createRateLimit, defaultPolicies, type RateLimitPolicy } from '../../../api/middleware/index.ts';
import { problemHandler } from '../../../api/problem.ts';
import { startPrivateRedis, type PrivateRedis } from '../../helpers/redis-server.ts';
import { listen } from './helpers.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const clients: Redis[] = [];
const servers: Array<{ close(): Promise<void> }> = [];

/** An app as the platform mounts it: the caller (API key) is known before the limiter runs. */
async function appWith(options: Parameters<typeof createRateLimit>[0]) {
  const app = express();
  app.use((req, res, next) => {
    const key = req.get('x-test-key');
    if (key) res.locals.apiKeyId = key;
    next();
  });
  app.use(createRateLimit(options));
  app.get('/v1/things', (_req, res) => void res.json({ ok: true }));
  app.post('/v1/documents', (_req, res) => void res.status(202).json({ ok: true }));
  app.use(problemHandler);
  const server = await listen(app);
  servers.push(server);
  return server.url;
}

function redis(url: string): Redis {
  // As the platform should build it for limits: fail fast while disconnected, keep reconnecting.
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 100, lazyConnect: false });
  client.on('error', () => {});
  clients.push(client);
  return client;
}

const ready = (client: Redis) => new Promise<void>((resolve) => (client.status === 'ready' ? resolve() : client.once('ready', () => resolve())));

const get = (url: string, headers: Record<string, string> = {}) => fetch(`${url}/v1/things`, { headers });

after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const c of clients) c.disconnect();
});

describe('with Redis', () => {
  let shared: Redis;
  before(async () => {
    shared = redis(REDIS_URL);
    await ready(shared);
  });

  test('headers announce the policy and what is left; the budget holds across two instances; 429 has Retry-After and a problem', async () => {
    const policies: RateLimitPolicy[] = [{ name: 'caller', limit: 5, windowSeconds: 60, per: 'caller' }];
    const keyPrefix = `test-rl-${randomUUID()}`;
    const one = await appWith({ policies, redis: shared, keyPrefix });
    const two = await appWith({ policies, redis: redis(REDIS_URL), keyPrefix });
    const first = await get(one, { 'x-test-key': 'k1' });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('ratelimit-policy'), '"caller";q=5;w=60');
    assert.match(first.headers.get('ratelimit')!, /^"caller";r=4;t=(60|59)$/);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await get(i % 2 ? one : two, { 'x-test-key': 'k1' })).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 429]);
    const refused = await get(two, { 'x-test-key': 'k1' });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.match(refused.headers.get('ratelimit')!, /^"caller";r=0;t=\d+$/);
    const body = (await refused.json()) as { status: number; code: string };
    assert.deepEqual([body.status, body.code], [429, 'E_RATE_LIMITED']);
    // Another key has its own budget.
    assert.equal((await get(one, { 'x-test-key': 'k2' })).status, 200);
  });

  test('without a key the IP is the caller; expensive routes spend their own budget too', async () => {
    const keyPrefix = `test-rl-${randomUUID()}`;
    const url = await appWith({ policies: defaultPolicies({ perMinute: 100, expensivePerMinute: 2 }), redis: shared, keyPrefix });
    const upload = () => fetch(`${url}/v1/documents`, { method: 'POST', headers: { 'x-test-key': 'uploader' } });
    const answers = [await upload(), await upload(), await upload()];
    assert.deepEqual(answers.map((r) => r.status), [202, 202, 429]);
    assert.equal(answers[0]!.headers.get('ratelimit-policy'), '"caller";q=100;w=60, "ip";q=200;w=60, "expensive";q=2;w=60');
    assert.match(answers[2]!.headers.get('ratelimit')!, /"expensive";r=0;t=\d+/);
    // Reads by the same key are still within the caller budget.
    const read = await get(url, { 'x-test-key': 'uploader' });
    assert.equal(read.status, 200);
    assert.equal(read.headers.get('ratelimit-policy'), '"caller";q=100;w=60, "ip";q=200;w=60');
    const keys = await shared.keys(`${keyPrefix}:*`);
    assert.ok(keys.some((k) => k.includes('ip:')), `per-IP keys in Redis: ${keys.join(' ')}`);
  });
});

describe('when Redis dies', () => {
  let privateRedis: PrivateRedis;
  before(async () => {
    privateRedis = await startPrivateRedis();
  });
  after(async () => {
    await privateRedis?.stop();
  });

  test('fail-open keeps answering (limited per process); fail-closed answers 503 problems; both recover', async () => {
    const policies: RateLimitPolicy[] = [{ name: 'caller', limit: 3, windowSeconds: 60, per: 'caller' }];
    const open = await appWith({ policies, redis: redis(privateRedis.url), keyPrefix: `o-${randomUUID()}`, whenRedisDown: 'open' });
    const closedClient = redis(privateRedis.url);
    const closed = await appWith({ policies, redis: closedClient, keyPrefix: `c-${randomUUID()}`, whenRedisDown: 'closed' });
    await ready(closedClient);
    assert.equal((await get(open)).status, 200);
    assert.equal((await get(closed)).status, 200);

    await privateRedis.kill();
    const started = Date.now();
    const openStatuses = [];
    for (let i = 0; i < 5; i++) openStatuses.push((await get(open, { 'x-test-key': 'down' })).status);
    // The memory insurance still limits: 3 per window in this process.
    assert.deepEqual(openStatuses, [200, 200, 200, 429, 429]);
    const refused = await get(closed);
    assert.equal(refused.status, 503);
    assert.equal(((await refused.json()) as { code: string }).code, 'E_RATE_LIMIT_UNAVAILABLE');
    assert.ok(refused.headers.get('retry-after'));
    assert.ok(Date.now() - started < 3000, 'answers while Redis is down come at once, not after timeouts');

    await privateRedis.restart();
    await ready(closedClient);
    assert.equal((await get(closed)).status, 200);
  });
});

test('bad options are refused at construction, naming the option', () => {
  assert.throws(() => createRateLimit({ policies: [] }), /policies/);
  assert.throws(() => createRateLimit({ policies: [{ name: 'a b', limit: 1, windowSeconds: 1, per: 'ip' }] }), /name/);
  assert.throws(() => createRateLimit({ policies: [{ name: 'a', limit: 0, windowSeconds: 1, per: 'ip' }] }), /limit/);
  assert.throws(() => createRateLimit({ policies: defaultPolicies(), whenRedisDown: 'maybe' as 'open' }), /whenRedisDown/);
});

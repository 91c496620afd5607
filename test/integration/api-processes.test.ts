/**
 * Four API processes on one PostgreSQL and one Redis, as behind a load balancer:
 * a thousand simultaneous misses on one key cost one load in all, and a flood of
 * ids that do not exist never reaches the database. Counted by the processes' own
 * cache metrics (GET /v1/admin/cache). And one API through a Redis outage.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { startPrivateRedis } from '../helpers/redis-server.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const operatorKey = `ak_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;
const auth = { authorization: `Bearer ${operatorKey}` };

/** Starts `api/main.ts` on a free port and resolves with its URL once it listens. */
function startApiProcess(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env, PORT: '0', EMBEDDING_THREADS: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`api process did not listen within 60 s: ${out}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ url, child });
      }
    });
    child.once('exit', (code) => reject(new Error(`api process exited with ${code}: ${out}`)));
  });
}

describe('four API processes share one cache', () => {
  let t: TestPlatform;
  let apis: { url: string; child: ChildProcess }[] = [];
  const loadsOf = async () => {
    const all = await Promise.all(apis.map(async ({ url }) => (await (await fetch(`${url}/v1/admin/cache`, { headers: auth })).json()) as any));
    return all.map((a) => a.metrics);
  };

  before(async () => {
    t = await startTestPlatform('postgres', { withWorker: false, env: { AUTH: 'on', ADMIN_API_KEY: operatorKey } });
    apis = await Promise.all(Array.from({ length: 4 }, () => startApiProcess({ ...t.env, AUTH: 'on', ADMIN_API_KEY: operatorKey })));
  });

  after(async () => {
    await Promise.all(
      apis.map(({ child }) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : (child.once('exit', resolve), child.kill('SIGTERM'))))),
    );
    await t?.close();
  });

  test('1,000 concurrent searches for one cold query, over 4 processes, embed it once', { timeout: 120_000 }, async () => {
    const before = await loadsOf();
    const query = `出差住宿标准 ${randomUUID()}`;
    const bodies = await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => {
        const response = await fetch(`${apis[i % 4]!.url}/v1/search/semantic?q=${encodeURIComponent(query)}&k=3`, { headers: auth });
        assert.equal(response.status, 200);
        return response.text();
      }),
    );
    assert.equal(new Set(bodies).size, 1, 'every caller got the same answer');
    const afterwards = await loadsOf();
    const loads = afterwards.reduce((sum, m, i) => sum + m.loads - before[i]!.loads, 0);
    assert.equal(loads, 1, 'the model ran once for the query, in one process');
    // Every other caller joined the one load (in its process or across, by the lease) or read what it stored.
    const delta = (pick: (m: any) => number) => afterwards.reduce((sum, m, i) => sum + pick(m) - pick(before[i]!), 0);
    const answeredWithoutLoading = delta((m) => m.mergedLoads + m.remoteWaits + m.l1.hits + m.l2.hits);
    assert.ok(answeredWithoutLoading >= 999, `only ${answeredWithoutLoading} callers were answered without a load`);
  });

  test('10,000 lookups of ids that do not exist barely reach the database', { timeout: 120_000 }, async () => {
    const before = await loadsOf();
    const statuses = new Map<number, number>();
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(
        Array.from({ length: 500 }, async (_, i) => {
          const id = randomBytes(32).toString('hex');
          const response = await fetch(`${apis[i % 4]!.url}/v1/documents/${id}`, { headers: auth });
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        }),
      );
    }
    assert.deepEqual([...statuses], [[404, 10_000]]);
    const afterwards = await loadsOf();
    // Every request is one load of the response cache (a 404 is never stored); a load behind it, of
    // the document's view, is a database query, and only ids the filter lets through get one.
    const loads = afterwards.reduce((sum, m, i) => sum + m.loads - before[i]!.loads, 0) - 10_000;
    const rejected = afterwards.reduce((sum, m, i) => sum + m.filterRejections - before[i]!.filterRejections, 0);
    // The filter is sized for 1% false positives: a few dozen lookups may pass it, never thousands.
    assert.ok(loads >= 0 && loads <= 300, `${loads} of 10,000 lookups reached the database`);
    assert.ok(rejected >= 9_700, `the filter answered ${rejected} of them`);
  });
});

describe('the API through a Redis outage', () => {
  test('searches keep answering while Redis is down, and L2 is used again once it is back', { timeout: 120_000 }, async () => {
    const redis = await startPrivateRedis();
    const t = await startTestPlatform('pglite', { withWorker: false, env: { REDIS_URL: redis.url } });
    try {
      const failures: string[] = [];
      let served = 0;
      const searchAll = async (round: string, count: number) => {
        await Promise.all(
          Array.from({ length: count }, async (_, i) => {
            const response = await fetch(`${t.api.url}/v1/search/semantic?q=${encodeURIComponent(`${round} 报销 ${i % 5}`)}&k=2`);
            await response.arrayBuffer();
            if (response.status === 200) served++;
            else failures.push(`${round}: ${response.status}`);
          }),
        );
      };
      await searchAll('before', 20);
      const writesBefore = t.platform.cache.metrics().l2.writes;
      assert.ok(writesBefore > 0, 'L2 is in use while Redis is up');

      await redis.kill();
      await searchAll('during', 50);
      assert.notEqual(t.platform.cache.metrics().circuit.state, 'closed', 'the breaker opened');

      await redis.restart();
      // The breaker probes again after its cooldown (1 s): L2 comes back without a restart of the API.
      const deadline = Date.now() + 20_000;
      let round = 0;
      while (t.platform.cache.metrics().l2.writes === writesBefore || t.platform.cache.metrics().circuit.state !== 'closed') {
        assert.ok(Date.now() < deadline, `L2 did not come back: ${JSON.stringify(t.platform.cache.metrics())}`);
        await searchAll(`after-${round++}`, 5);
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.deepEqual(failures, [], 'no client saw an error');
      assert.ok(served >= 70);
    } finally {
      await t.close();
      await redis.stop();
    }
  });
});

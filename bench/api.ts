/**
 * `npm run bench:api`: a cached GET through the full HTTP layer (compression,
 * strong ETag, the response cache on lib/cache, a Redis-backed rate limit with a
 * budget too high to trigger) against a bare Express route sending the same
 * bytes, one after the other in the same run, with autocannon. Not a test.
 */
import autocannon from 'autocannon';
import express from 'express';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createCache } from '../lib/cache/index.ts';
import { applyHttpLayer, createRateLimit, createResponseCache, type ResponseStore } from '../api/middleware/index.ts';
import { problemHandler } from '../api/problem.ts';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A realistic answer: one page of 20 documents, about 9 KB of JSON. */
const page = {
  items: Array.from({ length: 20 }, (_, i) => ({
    id: (i.toString(16).padStart(2, '0') + 'ab').repeat(16),
    status: 'ready',
    stage: 'done',
    progress: 1,
    chunks: 12 + i,
    error: null,
    title: `Quarterly report ${i}`,
    source: `https://intranet.example/reports/${i}`,
    tags: ['finance', 'q3'],
    filename: `report-${i}.pdf`,
    knowledgeBase: 'default',
    lang: 'zh-CN',
    metadata: { department: 'finance', year: 2026 },
    type: 'pdf',
    sizeBytes: 123_456 + i,
    workflowId: `doc-${i}`,
    createdAt: '2026-11-30T10:00:00.000Z',
    updatedAt: '2026-11-30T10:05:00.000Z',
  })),
  nextCursor: null,
};
const bytes = Buffer.from(JSON.stringify(page));

async function listen(app: express.Express): Promise<{ url: string; close(): void }> {
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

async function measure(name: string, url: string) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, pipelining: 1 });
  const rps = Math.round(result.requests.average);
  console.log(`${name}: ${rps} req/s, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}`);
  return { rps, p99: result.latency.p99, non2xx: result.non2xx };
}

async function main() {
  const redis = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await new Promise<void>((resolve, reject) => {
    redis.once('ready', () => resolve());
    redis.once('error', reject);
  });
  const cache = createCache({ prefix: `bench-api-${randomUUID()}` });
  await cache.ready();
  const store: ResponseStore = cache;

  const ours = express();
  applyHttpLayer(ours);
  ours.use((_req, res, next) => {
    res.locals.tenant = 'bench';
    res.locals.apiKeyId = 'bench-key';
    next();
  });
  ours.use(
    createRateLimit({
      policies: [{ name: 'caller', limit: 100_000_000, windowSeconds: 60, per: 'caller' }],
      redis,
      keyPrefix: `bench-rl-${randomUUID()}`,
    }),
  );
  ours.use('/v1', createResponseCache({ store, tagsOf: () => ['documents:bench'] }));
  let loads = 0;
  ours.get('/v1/documents', (_req, res) => {
    loads += 1;
    res.type('application/json').send(JSON.stringify(page));
  });
  ours.use(problemHandler);

  const peer = express();
  peer.get('/v1/documents', (_req, res) => void res.type('application/json').send(bytes));

  const oursServer = await listen(ours);
  const peerServer = await listen(peer);
  const check = await fetch(`${oursServer.url}/v1/documents`);
  const body = Buffer.from(await check.arrayBuffer());
  if (!body.equals(bytes)) throw new Error('the two routes do not send the same bytes');
  const second = await fetch(`${oursServer.url}/v1/documents`);
  console.log(`ours: ${bytes.length} bytes, ETag ${second.headers.get('etag')}, X-Cache ${second.headers.get('x-cache')}, RateLimit ${second.headers.get('ratelimit')}`);

  // Warm both, then measure one after the other on the same machine.
  await autocannon({ url: `${peerServer.url}/v1/documents`, connections: 10, duration: 1 });
  await autocannon({ url: `${oursServer.url}/v1/documents`, connections: 10, duration: 1 });
  const peerResult = await measure('peer (bare express)', `${peerServer.url}/v1/documents`);
  const oursResult = await measure('ours (full layer)', `${oursServer.url}/v1/documents`);
  console.log(`route loads during the run: ${loads} (1 = every request after the first served from the cache)`);
  if (oursResult.non2xx > 0) throw new Error(`ours answered ${oursResult.non2xx} non-2xx: the rate limit triggered?`);

  oursServer.close();
  peerServer.close();
  await cache.close();
  redis.disconnect();
  const ratio = (oursResult.rps / peerResult.rps).toFixed(2);
  console.log(`api: p99 ours=${oursResult.p99}ms peer=${peerResult.p99}ms`);
  console.log(`api: ours=${oursResult.rps} req/s peer=${peerResult.rps} req/s ratio=${ratio}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

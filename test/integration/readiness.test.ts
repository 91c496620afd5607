import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Connection } from '@temporalio/client';
import express from 'express';
import { createHealthRouter } from '../../api/routes/health.ts';
import { createOpenAiEmbedder } from '../../lib/embeddings/adapters/openai.ts';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';

/** No error text, class name, address or stack may reach a caller. */
function assertNoDetails(text: string) {
  assert.doesNotMatch(text, /error|closed|refused|ECONN|127\.0\.0\.1|at \w|\.ts/i, text);
}

describe('/readyz', () => {
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform('pglite', { withWorker: false });
  });
  after(async () => {
    await t?.close();
  });

  test('answers ready in a few milliseconds, without running the model', async () => {
    const { embedder } = t.platform;
    const embedQuery = embedder.embedQuery;
    let inferences = 0;
    embedder.embedQuery = (text) => {
      inferences++;
      return embedQuery(text);
    };
    try {
      const first = await fetch(`${t.api.url}/readyz`);
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('cache-control'), 'no-store');
      assert.deepEqual(await first.json(), {
        status: 'ready',
        checks: { temporal: { ok: true }, database: { ok: true }, model: { ok: true } },
      });
      const times: number[] = [];
      for (let i = 0; i < 20; i++) {
        const started = performance.now();
        const response = await fetch(`${t.api.url}/readyz`);
        await response.arrayBuffer();
        times.push(performance.now() - started);
        assert.equal(response.status, 200);
      }
      times.sort((a, b) => a - b);
      const median = times[10]!;
      console.log(`readyz: median ${median.toFixed(1)} ms, slowest ${times.at(-1)!.toFixed(1)} ms over 20 probes`);
      assert.ok(median < 50, `median ${median} ms`);
      assert.equal(inferences, 0, 'a probe ran the model');
    } finally {
      embedder.embedQuery = embedQuery;
    }
  });

  test('an unreachable embedding server makes the model check fail: 503, no details', async () => {
    // A port nothing listens on: the first request fails, health() reports it.
    const embedder = createOpenAiEmbedder({ baseUrl: 'http://127.0.0.1:9', model: 'm', dimension: 4, maxRetries: 0 });
    assert.deepEqual(embedder.health(), { ok: true });
    await assert.rejects(embedder.embedQuery('x'), { code: 'E_EMBEDDING_UNAVAILABLE' });
    assert.equal(embedder.health().ok, false);
    const connection = await Connection.connect({ address: t.platform.config.TEMPORAL_ADDRESS });
    const app = express().use(createHealthRouter({ db: t.platform.db, embedder, temporal: connection }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`);
      assert.equal(response.status, 503);
      const text = await response.text();
      assertNoDetails(text);
      assert.deepEqual(JSON.parse(text), {
        status: 'not ready',
        checks: { temporal: { ok: true }, database: { ok: true }, model: { ok: false } },
      });
    } finally {
      server.close();
      await connection.close();
      await embedder.close();
    }
  });

  test('a closed database answers 503 quickly, naming the check and nothing else', async () => {
    await t.platform.db.close();
    const started = performance.now();
    const response = await fetch(`${t.api.url}/readyz`);
    const text = await response.text();
    assert.ok(performance.now() - started < 2500, 'bounded by the check timeout');
    assert.equal(response.status, 503);
    assertNoDetails(text);
    assert.deepEqual(JSON.parse(text), {
      status: 'not ready',
      checks: { temporal: { ok: true }, database: { ok: false }, model: { ok: true } },
    });
  });
});

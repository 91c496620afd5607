/**
 * The OpenAI adapter against our own server, which computes real bge vectors; faults
 * come from fault-proxy.ts, standing between the two.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BGE_MODEL_ID, BGE_QUERY_PREFIX, createOnnxEmbedder } from '../../../lib/embeddings/adapters/onnx.ts';
import { createOpenAiEmbedder, type OpenAiEmbedderOptions } from '../../../lib/embeddings/adapters/openai.ts';
import type { Embedder } from '../../../lib/embeddings/port.ts';
import { startEmbeddingServer, type EmbeddingServer } from '../../../lib/embeddings/server.ts';
import { requireModelDir } from '../../unit/embeddings/model-dir.ts';
import { embedderContract } from './contract.ts';
import { startFaultProxy, type Fault, type FaultProxy } from './fault-proxy.ts';

embedderContract('openai adapter → our server (bge)', async () => {
  const direct = await createOnnxEmbedder({ modelDir: requireModelDir(), threads: 2 });
  const server = await startEmbeddingServer({ embedder: direct });
  return {
    embedder: createOpenAiEmbedder({ baseUrl: server.url, model: BGE_MODEL_ID, dimension: 512, queryPrefix: BGE_QUERY_PREFIX }),
    stop: async () => {
      await server.close();
      await direct.close();
    },
  };
});

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('OpenAI adapter', () => {
  let direct: Embedder;
  let server: EmbeddingServer;
  const proxies: FaultProxy[] = [];
  const clients: Embedder[] = [];

  before(async () => {
    direct = await createOnnxEmbedder({ modelDir: requireModelDir(), threads: 2 });
    // maxInputs 8 lets a test provoke a genuine 400 from the real server.
    server = await startEmbeddingServer({ embedder: direct, maxInputs: 8 });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(proxies.map((p) => p.close()));
    await server.close();
    await direct.close();
  });

  const proxy = async (plan: (n: number) => Fault): Promise<FaultProxy> => {
    const p = await startFaultProxy(server.url, plan);
    proxies.push(p);
    return p;
  };
  const client = (baseUrl: string, options: Partial<OpenAiEmbedderOptions> = {}): Embedder => {
    const c = createOpenAiEmbedder({
      baseUrl,
      model: BGE_MODEL_ID,
      dimension: 512,
      queryPrefix: BGE_QUERY_PREFIX,
      retryBaseMs: 10,
      ...options,
    });
    clients.push(c);
    return c;
  };
  const pass = (): Fault => ({ kind: 'pass' });

  it('gets the vectors the model gives directly', async () => {
    const texts = ['员工出差的住宿费用怎么报销', 'Hotel invoices are reimbursed within ten days.', ''];
    const remote = client(server.url);
    const [viaServer, local] = await Promise.all([remote.embedPassages(texts), direct.embedPassages(texts)]);
    for (const [i, v] of viaServer.entries()) assert.ok(maxAbsDiff(v, local[i]!) < 1e-5, `text ${i}`);
    const q = '差旅费';
    assert.ok(maxAbsDiff(await remote.embedQuery(q), await direct.embedQuery(q)) < 1e-5);
  });

  it('splits work into batches of batchSize, keeping order', async () => {
    const p = await proxy(pass);
    const texts = Array.from({ length: 7 }, (_, i) => `第${i}条报销记录`);
    const vectors = await client(p.url, { batchSize: 3 }).embedPassages(texts);
    assert.deepEqual(
      p.seen.map((r) => r.body.input),
      [texts.slice(0, 3), texts.slice(3, 6), texts.slice(6)],
    );
    const local = await direct.embedPassages(texts);
    for (const [i, v] of vectors.entries()) assert.ok(maxAbsDiff(v, local[i]!) < 1e-5);
  });

  it('retries a 500 and succeeds', async () => {
    const p = await proxy((n) => (n < 2 ? { kind: 'status', status: 500 } : pass()));
    const [v] = await client(p.url, { maxRetries: 3 }).embedPassages(['重试测试']);
    assert.equal(p.seen.length, 3);
    assert.equal(v!.length, 512);
  });

  it('gives up after maxRetries with a retryable E_EMBEDDING_UNAVAILABLE', async () => {
    const p = await proxy(() => ({ kind: 'status', status: 503 }));
    await assert.rejects(client(p.url, { maxRetries: 2 }).embedPassages(['x']), { code: 'E_EMBEDDING_UNAVAILABLE', retryable: true });
    assert.equal(p.seen.length, 3);
  });

  it('waits at least Retry-After on a 429', async () => {
    const p = await proxy((n) => (n === 0 ? { kind: 'status', status: 429, headers: { 'retry-after': '1' } } : pass()));
    const started = Date.now();
    await client(p.url).embedPassages(['限流']);
    assert.ok(Date.now() - started >= 990, `retried after ${Date.now() - started} ms`);
    assert.equal(p.seen.length, 2);
  });

  it('leaves a Retry-After longer than retryMaxMs to the caller', async () => {
    const p = await proxy(() => ({ kind: 'status', status: 429, headers: { 'retry-after': '120' } }));
    await assert.rejects(client(p.url, { retryMaxMs: 1000 }).embedPassages(['x']), { code: 'E_EMBEDDING_UNAVAILABLE', retryable: true });
    assert.equal(p.seen.length, 1);
  });

  it('does not retry a 400 from the real server', async () => {
    const p = await proxy(pass);
    const texts = Array.from({ length: 9 }, (_, i) => `t${i}`);
    // Our server takes at most 8 inputs per request.
    await assert.rejects(client(p.url, { batchSize: 9 }).embedPassages(texts), (error: { code: string; retryable: boolean; message: string }) => {
      assert.equal(error.code, 'E_EMBEDDING_REJECTED');
      assert.equal(error.retryable, false);
      assert.match(error.message, /400/);
      return true;
    });
    assert.equal(p.seen.length, 1);
  });

  it('does not retry a 404 for an unknown model', async () => {
    const p = await proxy(pass);
    await assert.rejects(client(p.url, { model: 'no-such-model' }).embedPassages(['x']), { code: 'E_EMBEDDING_REJECTED' });
    assert.equal(p.seen.length, 1);
  });

  it('times out a slow answer and retries it', async () => {
    const p = await proxy((n) => (n === 0 ? { kind: 'delay', ms: 5_000 } : pass()));
    const started = Date.now();
    const [v] = await client(p.url, { timeoutMs: 300, maxRetries: 1 }).embedPassages(['超时']);
    assert.equal(v!.length, 512);
    assert.equal(p.seen.length, 2);
    assert.ok(Date.now() - started < 4_000);
  });

  it('reports a timeout that never clears', async () => {
    const p = await proxy(() => ({ kind: 'delay', ms: 5_000 }));
    await assert.rejects(client(p.url, { timeoutMs: 200, maxRetries: 1 }).embedPassages(['x']), {
      code: 'E_EMBEDDING_UNAVAILABLE',
      message: /timed out after 200 ms/,
    });
  });

  it('retries when nothing listens, then reports the server unavailable', async () => {
    const closed = await startFaultProxy(server.url, pass);
    await closed.close();
    await assert.rejects(client(closed.url, { maxRetries: 1 }).embedPassages(['x']), { code: 'E_EMBEDDING_UNAVAILABLE', message: /network error/ });
  });

  it('refuses vectors of another dimension', async () => {
    await assert.rejects(client(server.url, { dimension: 384 }).embedPassages(['x']), { code: 'E_EMBEDDING_DIMENSION_MISMATCH' });
  });

  it('refuses a server that answers with the wrong number of vectors', async () => {
    const p = await proxy(() => ({ kind: 'status', status: 200, body: JSON.stringify({ object: 'list', data: [] }) }));
    await assert.rejects(client(p.url).embedPassages(['x']), { code: 'E_EMBEDDING_COUNT_MISMATCH' });
  });

  it('sends the API key and, when asked, the input type', async () => {
    const p = await proxy(pass);
    const c = client(p.url, { apiKey: 'sk-test', sendInputType: true });
    await c.embedPassages(['a']);
    await c.embedQuery('b');
    assert.equal(p.seen[0]!.headers.authorization, 'Bearer sk-test');
    assert.deepEqual(
      p.seen.map((r) => [r.body.input_type, r.body.input]),
      [
        ['passage', ['a']],
        ['query', [BGE_QUERY_PREFIX + 'b']],
      ],
    );
  });
});

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { BGE_MODEL_ID, createOnnxEmbedder } from '../../../lib/embeddings/adapters/onnx.ts';
import type { Embedder } from '../../../lib/embeddings/port.ts';
import { startEmbeddingServer, type EmbeddingServer } from '../../../lib/embeddings/server.ts';
import { requireModelDir } from '../../unit/embeddings/model-dir.ts';

describe('embedding server', () => {
  let embedder: Embedder;
  let server: EmbeddingServer;

  before(async () => {
    embedder = await createOnnxEmbedder({ modelDir: requireModelDir(), threads: 2 });
    server = await startEmbeddingServer({ embedder, maxInputs: 4, maxBodyBytes: 64 * 1024 });
  });
  after(async () => {
    await server.close();
    await embedder.close();
  });

  const post = (body: unknown, path = '/v1/embeddings') =>
    fetch(server.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('listens on loopback at a free port', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('embeds a list in the OpenAI response shape', async () => {
    const res = await post({ model: BGE_MODEL_ID, input: ['报销', 'reimbursement'] });
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      object: string;
      model: string;
      data: { object: string; index: number; embedding: number[] }[];
      usage: { prompt_tokens: number; total_tokens: number };
    };
    assert.equal(body.object, 'list');
    assert.equal(body.model, BGE_MODEL_ID);
    assert.deepEqual(body.data.map((d) => [d.object, d.index, d.embedding.length]), [
      ['embedding', 0, 512],
      ['embedding', 1, 512],
    ]);
    const tokens = embedder.countTokens('报销') + embedder.countTokens('reimbursement');
    assert.deepEqual(body.usage, { prompt_tokens: tokens, total_tokens: tokens });
    const [direct] = await embedder.embedPassages(['报销']);
    assert.ok(body.data[0]!.embedding.every((x, i) => Math.abs(x - direct![i]!) < 1e-6));
  });

  it('takes a single string, with or without a model name', async () => {
    const res = await post({ input: '报销' });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { data: unknown[] };
    assert.equal(body.data.length, 1);
  });

  it('answers base64 when asked, as the official clients do by default', async () => {
    const res = await post({ input: ['报销'], encoding_format: 'base64' });
    const body = (await res.json()) as { data: { embedding: string }[] };
    const bytes = Buffer.from(body.data[0]!.embedding, 'base64');
    const vector = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const [direct] = await embedder.embedPassages(['报销']);
    assert.deepEqual(Array.from(vector), Array.from(direct!));
  });

  const rejects = async (res: Response, status: number, pattern: RegExp) => {
    assert.equal(res.status, status);
    const body = (await res.json()) as { error: { message: string; type: string } };
    assert.match(body.error.message, pattern);
    assert.equal(typeof body.error.type, 'string');
  };

  it('answers 400 to requests it cannot serve', async () => {
    await rejects(await post('{not json'), 400, /JSON/);
    await rejects(await post([1, 2]), 400, /object/);
    await rejects(await post({ input: [] }), 400, /non-empty/);
    await rejects(await post({ input: [[101, 102]] }), 400, /token arrays/);
    await rejects(await post({ input: ['a', 'b', 'c', 'd', 'e'] }), 400, /at most 4 inputs/);
    await rejects(await post({ input: 'a', encoding_format: 'int8' }), 400, /encoding_format/);
    await rejects(await post({ input: 'a', dimensions: 256 }), 400, /dimensions/);
  });

  it('answers 404 for another model or path, 405 for another method', async () => {
    await rejects(await post({ model: 'text-embedding-3-small', input: 'a' }), 404, /serves bge-small-zh-v1\.5-q/);
    await rejects(await post({ input: 'a' }, '/v1/chat/completions'), 404, /no route/);
    await rejects(await fetch(`${server.url}/v1/embeddings`), 405, /POST/);
  });

  it('answers 413 to a body over the limit, declared or streamed', async () => {
    const big = JSON.stringify({ input: ['报'.repeat(40_000)] });
    await rejects(await post(big), 413, /larger than 65536 bytes/);
    // Chunked, so the size is only known while reading.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write(big.slice(i * 12_000, (i + 1) * 12_000));
      req.end();
    });
    assert.equal(status, 413);
  });
});

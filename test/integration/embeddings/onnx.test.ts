import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BGE_MODEL_ID, BGE_QUERY_PREFIX, createOnnxEmbedder } from '../../../lib/embeddings/adapters/onnx.ts';
import type { Embedder } from '../../../lib/embeddings/port.ts';
import { requireModelDir } from '../../unit/embeddings/model-dir.ts';
import { embedderContract } from './contract.ts';

embedderContract('onnx bge-small-zh-v1.5-q', async () => ({
  embedder: await createOnnxEmbedder({ modelDir: requireModelDir(), threads: 2 }),
}));

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('ONNX embedder', () => {
  let embedder: Embedder;
  before(async () => {
    embedder = await createOnnxEmbedder({ modelDir: requireModelDir(), batchSize: 4, threads: 2 });
  });
  after(() => embedder.close());

  it('is bge-small-zh-v1.5-q with 512 dimensions and 512 tokens', () => {
    assert.equal(embedder.modelId, BGE_MODEL_ID);
    assert.equal(embedder.dimension, 512);
    assert.equal(embedder.maxTokens, 512);
  });

  it('gives every text the vector it gets alone, whatever its batch', async () => {
    // Lengths differ (padding) and there are more texts than one batch holds.
    const texts = [
      '短',
      '员工出差的住宿费用怎么报销',
      'Quarterly revenue grew 15.6% year over year.',
      '根据公司差旅管理办法，员工因公出差产生的交通费、住宿费和伙食补助应在返回后十个工作日内提交申请。'.repeat(3),
      '',
      'Hello World',
      '明天北京天气晴转多云',
    ];
    const together = await embedder.embedPassages(texts);
    for (const [i, text] of texts.entries()) {
      const [alone] = await embedder.embedPassages([text]);
      assert.ok(maxAbsDiff(alone!, together[i]!) < 1e-5, `text ${i}: max diff ${maxAbsDiff(alone!, together[i]!)}`);
    }
  });

  it('gives the same vectors to concurrent callers', async () => {
    const texts = ['差旅报销', 'travel expenses', '天气'];
    const [a, b] = await Promise.all([embedder.embedPassages(texts), embedder.embedPassages([...texts].reverse())]);
    for (const [i, v] of a.entries()) assert.ok(maxAbsDiff(v, b[texts.length - 1 - i]!) < 1e-5);
  });

  it('puts the retrieval instruction before queries only', async () => {
    const query = '员工出差的住宿费用怎么报销';
    const [asPassage, prefixed] = await embedder.embedPassages([query, BGE_QUERY_PREFIX + query]);
    const asQuery = await embedder.embedQuery(query);
    assert.ok(maxAbsDiff(asQuery, prefixed!) < 1e-5);
    assert.ok(maxAbsDiff(asQuery, asPassage!) > 1e-3);
  });

  it('reads text past 512 tokens as its first 512', async () => {
    const long = '报销'.repeat(400);
    assert.ok(embedder.countTokens(long) > 512);
    const [a, b] = await embedder.embedPassages([long, long + '这一段在截断之后']);
    assert.ok(maxAbsDiff(a!, b!) < 1e-5);
  });

  it('refuses work after close', async () => {
    const other = await createOnnxEmbedder({ modelDir: requireModelDir(), threads: 1 });
    await other.close();
    await other.close();
    await assert.rejects(other.embedPassages(['x']), { code: 'E_EMBEDDER_CLOSED' });
  });

  it('says to run the setup script when the model is missing', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'no-model-'));
    await assert.rejects(createOnnxEmbedder({ modelDir: empty }), (error: { code: string; message: string }) => {
      assert.equal(error.code, 'E_MODEL_MISSING');
      assert.match(error.message, /scripts\/setup-model\.sh/);
      return true;
    });
  });

  it('refuses a bad batch size or thread count, naming the option', async () => {
    const modelDir = requireModelDir();
    await assert.rejects(createOnnxEmbedder({ modelDir, batchSize: 0 }), { code: 'E_INVALID_OPTION', message: /batchSize/ });
    await assert.rejects(createOnnxEmbedder({ modelDir, threads: 0 }), { code: 'E_INVALID_OPTION', message: /threads/ });
  });
});

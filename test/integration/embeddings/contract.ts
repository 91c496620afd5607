/**
 * The embeddings port's contract: every adapter (and every real server behind the
 * OpenAI adapter) must pass it. Suites call `embedderContract` with a factory.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Embedder } from '../../../lib/embeddings/port.ts';
import { dot } from '../../../lib/embeddings/vectors.ts';

export interface ContractTarget {
  embedder: Embedder;
  /** Extra teardown (servers); the suite closes the embedder itself. */
  stop?: () => Promise<void>;
}

const ZH_QUERY = '员工出差的住宿费用怎么报销';
const ZH_PASSAGES = {
  travel: '差旅报销规定：员工因公出差发生的酒店住宿费，凭发票在返回后十个工作日内提交报销申请。',
  weather: '明天北京天气晴转多云，最高气温二十八度，午后有微风。',
  coding: '在 TypeScript 中使用泛型可以编写可复用的函数和类，编译器会检查类型。',
};
const EN_QUERY = 'How do I get reimbursed for hotel costs on a business trip?';
const EN_PASSAGES = {
  travel: 'Travel policy: employees submit hotel invoices within ten working days after a business trip to be reimbursed.',
  weather: 'Tomorrow will be sunny with a high of 28 degrees and a light breeze in the afternoon.',
  coding: 'Generics in TypeScript let you write reusable functions and classes that the compiler type-checks.',
};

function norm(v: Float32Array): number {
  return Math.sqrt(dot(v, v));
}

/** Ranks passages for a query, best first. */
async function rank(embedder: Embedder, query: string, passages: Record<string, string>): Promise<[string, number][]> {
  const names = Object.keys(passages);
  const [q, vectors] = await Promise.all([embedder.embedQuery(query), embedder.embedPassages(Object.values(passages))]);
  return names.map((name, i): [string, number] => [name, dot(q, vectors[i]!)]).sort((a, b) => b[1] - a[1]);
}

export function embedderContract(name: string, start: () => Promise<ContractTarget>): void {
  describe(`Embedder contract: ${name}`, () => {
    let target: ContractTarget;
    let embedder: Embedder;

    before(async () => {
      target = await start();
      embedder = target.embedder;
    });
    after(async () => {
      await embedder?.close();
      await target?.stop?.();
    });

    it('describes itself', () => {
      assert.ok(embedder.modelId.length > 0);
      assert.ok(Number.isInteger(embedder.dimension) && embedder.dimension > 0);
      assert.ok(Number.isInteger(embedder.maxTokens) && embedder.maxTokens > 0);
    });

    it('returns one unit vector of the declared dimension per passage, in order', async () => {
      const texts = [ZH_PASSAGES.travel, EN_PASSAGES.weather, '', '短'];
      const vectors = await embedder.embedPassages(texts);
      assert.equal(vectors.length, texts.length);
      for (const v of vectors) {
        assert.ok(v instanceof Float32Array);
        assert.equal(v.length, embedder.dimension);
        assert.ok(v.every(Number.isFinite));
        assert.ok(Math.abs(norm(v) - 1) < 1e-4, `norm ${norm(v)}`);
      }
      const [alone] = await embedder.embedPassages([EN_PASSAGES.weather]);
      assert.ok(dot(alone!, vectors[1]!) > 0.99, 'the second vector belongs to the second text');
    });

    it('returns nothing for no passages', async () => {
      assert.deepEqual(await embedder.embedPassages([]), []);
    });

    it('is deterministic', async () => {
      const [a] = await embedder.embedPassages([ZH_PASSAGES.coding]);
      const [b] = await embedder.embedPassages([ZH_PASSAGES.coding]);
      assert.ok(dot(a!, b!) > 1 - 1e-6);
    });

    it('embeds a query as a unit vector', async () => {
      const q = await embedder.embedQuery(ZH_QUERY);
      assert.equal(q.length, embedder.dimension);
      assert.ok(Math.abs(norm(q) - 1) < 1e-4);
    });

    it('ranks a Chinese paraphrase above unrelated text', async () => {
      const ranked = await rank(embedder, ZH_QUERY, ZH_PASSAGES);
      assert.equal(ranked[0]![0], 'travel', JSON.stringify(ranked));
    });

    it('ranks an English paraphrase above unrelated text', async () => {
      const ranked = await rank(embedder, EN_QUERY, EN_PASSAGES);
      assert.equal(ranked[0]![0], 'travel', JSON.stringify(ranked));
    });

    it('finds the English passage for a Chinese query', async () => {
      const ranked = await rank(embedder, ZH_QUERY, EN_PASSAGES);
      assert.equal(ranked[0]![0], 'travel', JSON.stringify(ranked));
    });

    it('counts tokens, more for longer text', () => {
      assert.equal(embedder.countTokens(''), 0);
      const short = embedder.countTokens(ZH_QUERY);
      assert.ok(short > 0);
      assert.ok(embedder.countTokens(ZH_QUERY + ZH_PASSAGES.travel) > short);
    });
  });
}

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { createWordPieceTokenizer, loadWordPieceTokenizer, type WordPieceTokenizer } from '../../../lib/embeddings/wordpiece.ts';
import { tokenizerFile } from './model-dir.ts';

interface Reference {
  tokenizerSha256: string;
  maxLength: number;
  cases: { text: string; shipped: number[]; lowercase: number[] }[];
}

// Ids produced by Hugging Face's `tokenizers` (Rust) from the same tokenizer.json;
// regenerate with test/fixtures/embeddings/make-tokenizer-fixture.py.
const reference = JSON.parse(
  readFileSync(new URL('../../fixtures/embeddings/tokenizer-reference.json', import.meta.url), 'utf8'),
) as Reference;

describe('WordPiece tokenizer', () => {
  let file: string;
  let shipped: WordPieceTokenizer;
  let lowercase: WordPieceTokenizer;

  before(() => {
    file = tokenizerFile();
    shipped = loadWordPieceTokenizer(file);
    lowercase = loadWordPieceTokenizer(file, { lowercase: true });
  });

  it('reads the tokenizer.json the fixture was made from', () => {
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
    assert.equal(sha, reference.tokenizerSha256, 'tokenizer.json changed: rerun scripts/setup-model.sh or regenerate the fixture');
  });

  it('gives the reference ids with the file as shipped', () => {
    for (const c of reference.cases) {
      assert.deepEqual(shipped.encode(c.text, reference.maxLength), c.shipped, `text: ${JSON.stringify(c.text.slice(0, 60))}`);
    }
  });

  it('gives the reference ids with lowercasing switched on (what the ONNX adapter runs)', () => {
    for (const c of reference.cases) {
      assert.deepEqual(lowercase.encode(c.text, reference.maxLength), c.lowercase, `text: ${JSON.stringify(c.text.slice(0, 60))}`);
    }
  });

  it('covers truncation, long words, literal special tokens and CJK', () => {
    const lengths = reference.cases.map((c) => c.shipped.length);
    assert.ok(lengths.filter((n) => n === reference.maxLength).length >= 2, 'fixture has texts cut at maxLength');
    assert.ok(reference.cases.some((c) => c.text.includes('[SEP]')));
    assert.ok(reference.cases.some((c) => /\p{Script=Han}/u.test(c.text)));
  });

  it('counts the text tokens without [CLS]/[SEP] and without truncating', () => {
    for (const c of reference.cases) {
      assert.equal(lowercase.countTokens(c.text), lowercase.encode(c.text, 100_000).length - 2);
    }
    const long = reference.cases.find((c) => c.lowercase.length === reference.maxLength)!;
    assert.ok(lowercase.countTokens(long.text) > reference.maxLength - 2);
  });

  it('truncates to any length, always closing with [SEP]', () => {
    const ids = lowercase.encode('员工出差的住宿费用怎么报销', 6);
    assert.deepEqual(ids, [101, 1447, 2339, 1139, 2345, 102]);
    assert.deepEqual(lowercase.encode('', 2), [101, 102]);
  });

  it('lowercases what the vocabulary only has in lower case', () => {
    // Shipped as is, a capitalised English word is unknown to the all-lowercase vocabulary.
    const unk = 100;
    assert.ok(shipped.encode('Hello World', 16).includes(unk));
    assert.ok(!lowercase.encode('Hello World', 16).includes(unk));
  });

  it('refuses a tokenizer.json that is not BERT WordPiece', () => {
    const spec = JSON.parse(readFileSync(file, 'utf8'));
    spec.model.type = 'BPE';
    assert.throws(() => createWordPieceTokenizer(spec), { code: 'E_TOKENIZER_UNSUPPORTED' });
  });

  it('reports a missing file as E_MODEL_MISSING', () => {
    assert.throws(() => loadWordPieceTokenizer('/nonexistent/tokenizer.json'), { code: 'E_MODEL_MISSING' });
  });

  it('tokenizes hundreds of ~300-token chunks per second', () => {
    const base = reference.cases.map((c) => c.text).join(' ');
    const chunks = Array.from({ length: 400 }, (_, i) => `${base.slice(i * 7, i * 7 + 400)} 编号${i}`);
    const started = performance.now();
    let tokens = 0;
    for (const chunk of chunks) tokens += lowercase.encode(chunk, 512).length;
    const seconds = (performance.now() - started) / 1000;
    // Measured at thousands per second on 2 cores; the floor leaves room for a busy CI.
    assert.ok(chunks.length / seconds > 300, `${(chunks.length / seconds).toFixed(0)} chunks/s, ${(tokens / chunks.length).toFixed(0)} tokens each`);
  });
});

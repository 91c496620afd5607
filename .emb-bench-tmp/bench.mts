// Scratch benchmark (not committed): padded batch vs one-at-a-time, 1 vs 2 threads.
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { loadWordPieceTokenizer } from '/work/main/lib/embeddings/wordpiece.ts';
const dir = '/tmp/aistack-emb-dev/models/bge-small-zh-v1.5-q';
const tok = loadWordPieceTokenizer(`${dir}/bge-small-zh-v1.5-q-tokenizer.json`, { lowercase: true });
const fx = JSON.parse(readFileSync('/work/main/test/fixtures/embeddings/tokenizer-reference.json', 'utf8'));
const zh = fx.cases[11].text as string;
const kind = process.argv[2] ?? 'long';
const texts = Array.from({ length: 32 }, (_, i) => kind === 'long' ? zh.slice(i % 40, (i % 40) + 290 + (i % 7) * 5) : zh.slice(i, i + 30));
const rows = texts.map((t) => tok.encode(t, 512));
async function run(s: ort.InferenceSession, batch: number[][]) {
  const w = Math.max(...batch.map((r) => r.length)), n = batch.length;
  const ids = new BigInt64Array(n * w), mask = new BigInt64Array(n * w);
  batch.forEach((r, i) => r.forEach((id, t) => { ids[i * w + t] = BigInt(id); mask[i * w + t] = 1n; }));
  const d = [n, w];
  const out = await s.run({ input_ids: new ort.Tensor('int64', ids, d), attention_mask: new ort.Tensor('int64', mask, d), token_type_ids: new ort.Tensor('int64', new BigInt64Array(n * w), d) });
  for (const t of Object.values(out)) t.dispose();
}
for (const threads of [1, 2]) {
  const s = await ort.InferenceSession.create(`${dir}/bge-small-zh-v1.5-q.onnx`, { graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1, ...(process.env.NOSPIN ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}) });
  await run(s, rows.slice(0, 4));
  for (const batch of [1, 16]) {
    const rates: string[] = [];
    for (let round = 0; round < 3; round++) {
      const t0 = performance.now();
      for (let i = 0; i < rows.length; i += batch) await run(s, rows.slice(i, i + batch));
      rates.push((rows.length / ((performance.now() - t0) / 1000)).toFixed(1));
    }
    console.log(`${kind} (${rows[0]!.length} tokens) threads=${threads} batch=${batch}: ${rates.join(' ')} emb/s`);
  }
  await s.release();
}

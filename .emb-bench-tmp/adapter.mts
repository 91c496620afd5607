import { createOnnxEmbedder } from '/work/main/lib/embeddings/adapters/onnx.ts';
import { readFileSync } from 'node:fs';
const modelDir = '/tmp/aistack-emb-dev/models/bge-small-zh-v1.5-q';
const fx = JSON.parse(readFileSync('/work/main/test/fixtures/embeddings/tokenizer-reference.json', 'utf8'));
const zh = fx.cases[11].text as string, en = fx.cases[12].text as string;
const chunks = Array.from({ length: 16 }, (_, i) => (i % 2 ? en.slice(i * 20, i * 20 + 930) : zh.slice(i * 5, i * 5 + 300)));
const es = [await createOnnxEmbedder({ modelDir, threads: 1, batchSize: 16 }), await createOnnxEmbedder({ modelDir, threads: 2, batchSize: 16 })];
console.log('tokens/chunk', chunks.map((c) => es[0]!.countTokens(c)).join(','));
for (const e of es) await e.embedPassages(chunks.slice(0, 2));
const rates: number[][] = [[], []];
for (let round = 0; round < 5; round++) for (const k of [0, 1]) {
  const t0 = performance.now();
  await es[k]!.embedPassages(chunks);
  rates[k]!.push(16 / ((performance.now() - t0) / 1000));
}
for (const k of [0, 1]) { const r = [...rates[k]!].sort((a, b) => a - b); console.log(`threads=${k + 1}: median ${r[2]!.toFixed(1)} best ${r[4]!.toFixed(1)} emb/s  (${rates[k]!.map((x) => x.toFixed(1)).join(' ')})`); }
for (const e of es) await e.close();

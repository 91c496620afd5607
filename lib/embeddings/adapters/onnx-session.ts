/**
 * The model itself: one single-threaded onnxruntime session over bge-small-zh-v1.5-q,
 * fed token ids. `session.run` in onnxruntime-node computes synchronously on the calling
 * thread, so `onnx.ts` keeps each session in a worker thread of its own.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { l2Normalize } from '../vectors.ts';

export const BGE_DIMENSION = 512;

export interface BgeSession {
  /** One vector per row of token ids, in order; each L2-normalized. */
  embedRows(rows: readonly ArrayLike<number>[]): Promise<Float32Array[]>;
  release(): Promise<void>;
}

export async function loadBgeSession(onnxFile: string): Promise<BgeSession> {
  const ort = await import('onnxruntime-node');
  // One core per session; `onnx.ts` runs one session per core. A small model on one short
  // sequence parallelises poorly inside an operator: measured on 600 chunks over two cores,
  // two single-threaded sessions took 5.9 s and 11.3 CPU-s, one two-threaded session 7.4 s
  // and 14.5 CPU-s with its idle threads spinning, 9.1 s and 15.2 CPU-s without.
  const session: InferenceSession = await ort.InferenceSession.create(onnxFile, {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const feedsNeeded = new Set(session.inputNames);
  const outputName = session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : session.outputNames[0]!;

  // One sequence per run, never a padded batch: the model is dynamically quantized, so
  // each MatMul's int8 scale comes from the whole input tensor, and in a batch a text's
  // vector shifts with its neighbours and their padding (measured: cosine 0.984-0.997
  // to the same text alone). A text's vector must depend on the text alone, and on CPU
  // a ~300-token chunk runs as fast alone as in a batch.
  const runOne = async (row: ArrayLike<number>): Promise<Float32Array> => {
    const dims = [1, row.length];
    const feeds: Record<string, Tensor> = {};
    if (feedsNeeded.has('input_ids')) feeds.input_ids = new ort.Tensor('int64', BigInt64Array.from(row, (id) => BigInt(id)), dims);
    if (feedsNeeded.has('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(row.length).fill(1n), dims);
    if (feedsNeeded.has('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(row.length), dims);
    const out = await session.run(feeds);
    try {
      const hidden = out[outputName]!;
      const dim = hidden.dims[2];
      if (dim !== BGE_DIMENSION) throw new Error(`model returned ${dim} dimensions, expected ${BGE_DIMENSION}`);
      // CLS pooling: the [CLS] token's state is the sentence vector bge was trained for.
      return l2Normalize((hidden.data as Float32Array).slice(0, BGE_DIMENSION));
    } finally {
      for (const t of Object.values(out)) t.dispose();
    }
  };

  return {
    async embedRows(rows) {
      const vectors: Float32Array[] = [];
      for (const row of rows) vectors.push(await runOne(row));
      return vectors;
    },
    release: () => session.release(),
  };
}

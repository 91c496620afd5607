/**
 * The embedded default: bge-small-zh-v1.5 (int8-quantized ONNX, Chinese + English,
 * 512 dimensions) run in-process by onnxruntime-node. Files come from
 * scripts/setup-model.sh; nothing is downloaded at run time.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { AppError } from '../../errors.ts';
import type { Embedder } from '../port.ts';
import { l2Normalize } from '../vectors.ts';
import { loadWordPieceTokenizer } from '../wordpiece.ts';

export const BGE_MODEL_ID = 'bge-small-zh-v1.5-q';
export const BGE_ONNX_FILE = 'bge-small-zh-v1.5-q.onnx';
export const BGE_TOKENIZER_FILE = 'bge-small-zh-v1.5-q-tokenizer.json';
/** The instruction the model's authors recommend before short retrieval queries. */
export const BGE_QUERY_PREFIX = '为这个句子生成表示以用于检索相关文章：';
const MAX_TOKENS = 512;
const DIMENSION = 512;

export interface OnnxEmbedderOptions {
  /** Directory holding the two model files (see `defaultModelDir`). */
  modelDir: string;
  /**
   * Texts embedded per turn on the model before other callers' work may run (each text
   * is its own inference; see `runOne`). Default 16.
   */
  batchSize?: number;
  /** onnxruntime intra-op threads. Default: onnxruntime's own choice (one per physical core). */
  threads?: number;
}

/** `$AISTACK_MODEL_DIR`, else the directory scripts/setup-model.sh fills. */
export function defaultModelDir(env: Record<string, string | undefined> = process.env): string {
  if (env.AISTACK_MODEL_DIR) return env.AISTACK_MODEL_DIR;
  const cache = env.AISTACK_CACHE ?? path.join(os.homedir(), '.cache', 'aistack');
  return path.join(cache, 'models', BGE_MODEL_ID);
}

export async function createOnnxEmbedder(options: OnnxEmbedderOptions): Promise<Embedder> {
  const batchSize = options.batchSize ?? 16;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new AppError('E_INVALID_OPTION', `onnx embedder: batchSize must be a positive integer, got ${batchSize}`);
  }
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) {
    throw new AppError('E_INVALID_OPTION', `onnx embedder: threads must be a positive integer, got ${options.threads}`);
  }
  const onnxFile = path.join(options.modelDir, BGE_ONNX_FILE);
  const tokenizerFile = path.join(options.modelDir, BGE_TOKENIZER_FILE);
  for (const file of [onnxFile, tokenizerFile]) {
    if (!existsSync(file)) {
      throw new AppError('E_MODEL_MISSING', `embedding model file ${file} is missing: run scripts/setup-model.sh`);
    }
  }

  // The shipped tokenizer.json says lowercase=false, yet its vocabulary has no capital
  // letters at all (like bert-base-chinese, whose Google release lowercases), so any
  // capitalised English word would become [UNK]. BERT's default (lowercase, strip
  // accents) is what the vocabulary was built for.
  const tokenizer = loadWordPieceTokenizer(tokenizerFile, { lowercase: true });

  // Loaded here, not at the top, so importing the factory costs nothing for the
  // processes that use the OpenAI adapter.
  const ort = await import('onnxruntime-node');
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(onnxFile, {
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
    });
  } catch (cause) {
    throw new AppError('E_MODEL_MISSING', `cannot load ${onnxFile}: rerun scripts/setup-model.sh`, { cause });
  }
  const feedsNeeded = new Set(session.inputNames);
  const outputName = session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : session.outputNames[0]!;

  // One inference at a time: onnxruntime already spreads each run over all its threads,
  // and concurrent runs would only fight over the same cores.
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(() => {
      if (closed) throw new AppError('E_EMBEDDER_CLOSED', 'onnx embedder is closed');
      return work();
    });
    queue = run.catch(() => undefined);
    return run;
  };

  // One sequence per run, never a padded batch: the model is dynamically quantized, so
  // each MatMul's int8 scale comes from the whole input tensor, and in a batch a text's
  // vector shifts with its neighbours and their padding (measured: cosine 0.984-0.997
  // to the same text alone). A text's vector must depend on the text alone, and on CPU
  // a ~300-token chunk runs as fast alone as in a batch.
  const runOne = async (row: readonly number[]): Promise<Float32Array> => {
    const ids = BigInt64Array.from(row, (id) => BigInt(id));
    const dims = [1, row.length];
    const feeds: Record<string, Tensor> = {};
    if (feedsNeeded.has('input_ids')) feeds.input_ids = new ort.Tensor('int64', ids, dims);
    if (feedsNeeded.has('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(row.length).fill(1n), dims);
    if (feedsNeeded.has('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(row.length), dims);
    const out = await session.run(feeds);
    try {
      const hidden = out[outputName]!;
      const dim = hidden.dims[2];
      if (dim !== DIMENSION) {
        throw new AppError('E_EMBEDDING_DIMENSION_MISMATCH', `model returned ${dim} dimensions, expected ${DIMENSION}`);
      }
      // CLS pooling: the [CLS] token's state is the sentence vector bge was trained for.
      return l2Normalize((hidden.data as Float32Array).slice(0, DIMENSION));
    } finally {
      for (const t of Object.values(out)) t.dispose();
    }
  };

  const embed = async (texts: readonly string[]): Promise<Float32Array[]> => {
    const result: Float32Array[] = [];
    // `batchSize` texts per turn of the session, so a long ingestion call lets a
    // waiting search query in between turns.
    for (let start = 0; start < texts.length; start += batchSize) {
      const turn = texts.slice(start, start + batchSize);
      const vectors = await exclusive(async () => {
        const out: Float32Array[] = [];
        for (const text of turn) out.push(await runOne(tokenizer.encode(text, MAX_TOKENS)));
        return out;
      });
      result.push(...vectors);
    }
    return result;
  };

  return {
    modelId: BGE_MODEL_ID,
    dimension: DIMENSION,
    maxTokens: MAX_TOKENS,
    embedPassages: (texts) => embed(texts),
    async embedQuery(text) {
      const [vector] = await embed([BGE_QUERY_PREFIX + text]);
      return vector!;
    },
    countTokens: (text) => tokenizer.countTokens(text),
    async close() {
      if (closed) return;
      closed = true;
      await queue;
      await session.release();
    },
  } satisfies Embedder;
}

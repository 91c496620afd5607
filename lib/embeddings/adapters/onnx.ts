/**
 * The embedded default: bge-small-zh-v1.5 (int8-quantized ONNX, Chinese + English,
 * 512 dimensions) run in-process by onnxruntime-node, one single-threaded session
 * per inference thread (`onnx-thread.ts`). Files come from scripts/setup-model.sh;
 * nothing is downloaded at run time.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../errors.ts';
import type { Embedder, EmbedderHealth } from '../port.ts';
import { loadWordPieceTokenizer } from '../wordpiece.ts';
import { BGE_DIMENSION } from './onnx-session.ts';

export const BGE_MODEL_ID = 'bge-small-zh-v1.5-q';
export const BGE_ONNX_FILE = 'bge-small-zh-v1.5-q.onnx';
export const BGE_TOKENIZER_FILE = 'bge-small-zh-v1.5-q-tokenizer.json';
/** The instruction the model's authors recommend before short retrieval queries. */
export const BGE_QUERY_PREFIX = '为这个句子生成表示以用于检索相关文章：';
const MAX_TOKENS = 512;
const DIMENSION = BGE_DIMENSION;

export interface OnnxEmbedderOptions {
  /** Directory holding the two model files (config EMBEDDING_MODEL_DIR, filled by scripts/setup-model.sh). */
  modelDir: string;
  /**
   * Most texts in one turn on an inference thread before other callers' work may run
   * (each text is its own inference; see `runOne`). Default 16.
   */
  batchSize?: number;
  /** Inference threads, each one single-threaded session on one core. Default 1. */
  threads?: number;
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

  const threads = await Promise.all(Array.from({ length: options.threads ?? 1 }, () => startInferenceThread(onnxFile)));
  let closed = false;

  const embed = async (texts: readonly string[]): Promise<Float32Array[]> => {
    if (closed) throw new AppError('E_EMBEDDER_CLOSED', 'onnx embedder is closed');
    // Spread over the threads, so one caller's texts use every core; at most `batchSize`
    // texts per message, since a thread answers messages in order and a search query sent
    // during a long ingestion should wait for one turn, not all of them. Each turn goes to
    // the thread with the fewest texts waiting.
    const turnSize = Math.min(batchSize, Math.ceil(texts.length / threads.length));
    const turns: Promise<Float32Array[]>[] = [];
    for (let start = 0; start < texts.length; start += turnSize) {
      const thread = threads.reduce((least, t) => (t.waiting() < least.waiting() ? t : least));
      turns.push(thread.embedRows(texts.slice(start, start + turnSize).map((text) => Int32Array.from(tokenizer.encode(text, MAX_TOKENS)))));
    }
    return (await Promise.all(turns)).flat();
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
    health() {
      if (closed) return { ok: false, reason: 'onnx embedder is closed' };
      return threads.map((thread) => thread.health()).find((health) => !health.ok) ?? { ok: true };
    },
    tokenCounter: { kind: 'wordpiece', tokenizerFile, lowercase: true },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(threads.map((thread) => thread.stop()));
    },
  } satisfies Embedder;
}

/**
 * Worker threads do not inherit `--import tsx` hooks on Node 20, so the thread
 * registers tsx itself before loading the TypeScript entry.
 */
const threadBootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.resolve('./onnx-thread.ts'))}); })`;

interface InferenceThread {
  embedRows(rows: Int32Array[]): Promise<Float32Array[]>;
  /** Texts sent and not yet answered. */
  waiting(): number;
  /** Not ok while the thread is lost; asking starts a new one, so readiness recovers without traffic. */
  health(): EmbedderHealth;
  stop(): Promise<void>;
}

/**
 * Starts the inference thread and waits until the model is loaded. A thread that
 * dies fails the calls in flight (retryable: the activity runs again) and is
 * started anew on the next call.
 */
async function startInferenceThread(onnxFile: string): Promise<InferenceThread> {
  const pending = new Map<number, { resolve(v: Float32Array[]): void; reject(e: unknown): void }>();
  let nextId = 0;
  let current: Promise<Worker> | undefined;
  let stopping = false;
  let lostBecause: string | undefined;

  const spawn = () =>
    new Promise<Worker>((resolve, reject) => {
      const worker = new Worker(threadBootstrap, { eval: true, workerData: { onnxFile } });
      worker.on('message', (message: { ready?: boolean; id?: number; vectors?: Float32Array[]; error?: string }) => {
        if (message.ready === true) {
          lostBecause = undefined;
          return resolve(worker);
        }
        if (message.ready === false) {
          lostBecause = `cannot load ${onnxFile}: ${message.error}`;
          return reject(new AppError('E_MODEL_MISSING', `cannot load ${onnxFile}: rerun scripts/setup-model.sh (${message.error})`));
        }
        const call = pending.get(message.id!);
        pending.delete(message.id!);
        if (message.error) call?.reject(new AppError('E_EMBEDDING_FAILED', `inference failed: ${message.error}`, { retryable: true }));
        else call?.resolve(message.vectors!);
      });
      const lost = (why: string) => {
        current = undefined;
        lostBecause ??= `inference thread ${why}`;
        reject(new AppError('E_MODEL_MISSING', `inference thread ${why} while loading ${onnxFile}`));
        for (const call of pending.values()) call.reject(new AppError('E_EMBEDDING_FAILED', `inference thread ${why}`, { retryable: true }));
        pending.clear();
      };
      worker.on('error', (error) => lost(`failed: ${error.message}`));
      worker.on('exit', (code) => lost(`exited with code ${code}`));
    });

  const thread = () => (current ??= spawn());
  await thread();
  const inFlight = new Set<Promise<Float32Array[]>>();
  let waitingRows = 0;
  return {
    async embedRows(rows) {
      waitingRows += rows.length;
      try {
        const worker = await thread();
        const id = nextId++;
        const call = new Promise<Float32Array[]>((resolve, reject) => {
          pending.set(id, { resolve, reject });
          // Token ids as typed arrays, moved rather than copied to the thread.
          worker.postMessage({ id, rows }, rows.map((row) => row.buffer as ArrayBuffer));
        });
        inFlight.add(call);
        return await call.finally(() => inFlight.delete(call));
      } finally {
        waitingRows -= rows.length;
      }
    },
    waiting: () => waitingRows,
    health() {
      if (lostBecause === undefined) return { ok: true };
      if (!stopping) thread().catch(() => {}); // the failure shows in lostBecause
      return { ok: false, reason: lostBecause };
    },
    async stop() {
      if (stopping || !current) return;
      stopping = true;
      const worker = await current;
      // Let the calls in flight finish before the thread goes.
      await Promise.allSettled(inFlight);
      await worker.terminate();
    },
  };
}

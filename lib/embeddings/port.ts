/**
 * The embeddings port: turns text into unit-length vectors.
 * Adapters: `adapters/onnx.ts` (local bge-small-zh-v1.5, the default) and
 * `adapters/openai.ts` (any OpenAI-compatible `/v1/embeddings` server).
 */
export interface Embedder {
  /** Stable id of the model, recorded with every stored vector (e.g. `bge-small-zh-v1.5-q`). */
  readonly modelId: string;
  /** Length of every vector this embedder returns. */
  readonly dimension: number;
  /** Largest number of tokens one input may have before the model truncates it. */
  readonly maxTokens: number;
  /** Embeds passages (document chunks), in order; each result is L2-normalized. */
  embedPassages(texts: readonly string[]): Promise<Float32Array[]>;
  /** Embeds a search query (adds the model's query instruction where it has one). */
  embedQuery(text: string): Promise<Float32Array>;
  /** Counts tokens as this model would see them (used to bound chunk sizes). */
  countTokens(text: string): number;
  /** How to build the same counter in another thread (chunking runs off the event loop). */
  readonly tokenCounter: TokenCounterSpec;
  /**
   * Whether the model can answer right now, from what the embedder already knows
   * (no inference, no request: readiness probes call it often). The reason is for
   * the log, not for callers.
   */
  health(): EmbedderHealth;
  /** Releases native resources and sockets. */
  close(): Promise<void>;
}

export type EmbedderHealth = { ok: true } | { ok: false; reason: string };

/** A token counter described by plain data, so a worker thread can rebuild it (`createTokenCounter`). */
export type TokenCounterSpec = { kind: 'wordpiece'; tokenizerFile: string; lowercase: boolean } | { kind: 'estimate' };

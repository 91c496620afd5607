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
  /** Releases native resources and sockets. */
  close(): Promise<void>;
}

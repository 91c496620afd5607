/**
 * Builds the configured Embedder. `onnx` runs bge-small-zh-v1.5 in-process (the
 * embedded default); `openai` talks to any OpenAI-compatible `/v1/embeddings` server.
 */
import { createOnnxEmbedder, type OnnxEmbedderOptions } from './adapters/onnx.ts';
import { createOpenAiEmbedder, type OpenAiEmbedderOptions } from './adapters/openai.ts';
import type { Embedder } from './port.ts';

export type EmbeddingConfig =
  | ({ provider: 'onnx' } & OnnxEmbedderOptions)
  | ({ provider: 'openai' } & OpenAiEmbedderOptions);

export async function createEmbedder(config: EmbeddingConfig): Promise<Embedder> {
  switch (config.provider) {
    case 'onnx':
      return createOnnxEmbedder(config);
    case 'openai':
      return createOpenAiEmbedder(config);
  }
}

export type { Embedder } from './port.ts';
export type { OnnxEmbedderOptions } from './adapters/onnx.ts';
export type { OpenAiEmbedderOptions } from './adapters/openai.ts';
export { BGE_MODEL_ID, BGE_QUERY_PREFIX } from './adapters/onnx.ts';
export { startEmbeddingServer, type EmbeddingServer, type EmbeddingServerOptions } from './server.ts';

import { createLocalBlobStore } from './blob/local.ts';
import { createCache, type Cache } from './cache/index.ts';
import type { BlobStore } from './blob/port.ts';
import type { Config } from './config.ts';
import { createDatabase, type Database } from './db/index.ts';
import { createEmbedder } from './embeddings/index.ts';
import type { Embedder } from './embeddings/port.ts';
import { registerEmbeddingModel } from './embeddings/registry.ts';
import { createSearchEngine } from './search/index.ts';
import type { SearchEngine } from './search/port.ts';

/** The adapters every process needs, built once from the config. */
export interface Platform {
  config: Config;
  db: Database;
  blobs: BlobStore;
  embedder: Embedder;
  /** L1 in process; with REDIS_URL also L2, the invalidation bus and cross-process single-flight. */
  cache: Cache;
  /** PostgreSQL's own search (default) or Elasticsearch, by SEARCH_ENGINE. */
  search: SearchEngine;
  close(): Promise<void>;
}

export async function createPlatform(config: Config): Promise<Platform> {
  const embedder = await createEmbedder(
    config.EMBEDDING_PROVIDER === 'onnx'
      ? {
          provider: 'onnx',
          modelDir: config.EMBEDDING_MODEL_DIR,
          threads: config.EMBEDDING_THREADS,
          batchSize: config.EMBEDDING_BATCH_SIZE,
        }
      : {
          provider: 'openai',
          baseUrl: config.EMBEDDING_BASE_URL!,
          model: config.EMBEDDING_MODEL,
          dimension: config.EMBEDDING_DIMENSION,
          apiKey: config.EMBEDDING_API_KEY,
          batchSize: config.EMBEDDING_BATCH_SIZE,
          timeoutMs: config.EMBEDDING_TIMEOUT_MS,
          queryPrefix: config.EMBEDDING_QUERY_PREFIX,
        },
  );
  // The model answers once before anything relies on it (a broken model file or an
  // unreachable server stops the start here); afterwards readiness only asks
  // `embedder.health()`, which costs no inference.
  try {
    await embedder.embedQuery('ready');
  } catch (error) {
    await embedder.close();
    throw error;
  }
  const db = await createDatabase(config);
  try {
    await registerEmbeddingModel(db, embedder.modelId, embedder.dimension);
  } catch (error) {
    await Promise.allSettled([db.close(), embedder.close()]);
    throw error;
  }
  // An unreachable Elasticsearch does not stop the start: searches answer 503 and
  // index writes retry in their workflow until it is back.
  const search = await createSearchEngine(config, db, embedder.dimension);
  await search.ensureReady().catch(() => {});
  const cache = createCache({
    prefix: config.CACHE_PREFIX,
    redis: config.REDIS_URL ? { url: config.REDIS_URL } : undefined,
    l1: { maxEntries: config.CACHE_L1_MAX_ENTRIES, maxBytes: config.CACHE_L1_MAX_MB * 1024 * 1024 },
  });
  // Redis down at start is not fatal: the cache serves from L1 and its loaders until Redis answers.
  await cache.ready(2_000).catch(() => {});
  return {
    config,
    db,
    blobs: createLocalBlobStore(config.BLOB_DIR),
    embedder,
    cache,
    search,
    async close() {
      await search.close().catch(() => {});
      await Promise.allSettled([db.close(), embedder.close(), cache.close()]);
    },
  };
}

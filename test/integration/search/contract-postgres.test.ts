/** The search contract on PostgreSQL's own search, on PGlite and on a real PostgreSQL server. */
import { after } from 'node:test';
import { createPostgresSearchEngine } from '../../../lib/search/adapters/postgres/index.ts';
import { registerEmbeddingModel } from '../../../lib/embeddings/registry.ts';
import { closeCorpusEmbedder, corpusEmbedder } from '../../fixtures/search/records.ts';
import { engines, openTestDatabase } from '../../helpers/platform.ts';
import { searchEngineContract } from './contract.ts';

after(() => closeCorpusEmbedder());

for (const engine of engines) {
  searchEngineContract(`postgres on ${engine}`, async () => {
    const { db, close } = await openTestDatabase(engine);
    const embedder = await corpusEmbedder();
    // As the platform does at start: the model pinned, its vector index built.
    await registerEmbeddingModel(db, embedder.modelId, embedder.dimension);
    return { engine: createPostgresSearchEngine({ db, dimension: embedder.dimension, timeoutMs: 10_000 }), db, stop: close };
  });
}

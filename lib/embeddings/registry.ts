import type { Database } from '../db/index.ts';
import { AppError } from '../errors.ts';

/**
 * Pins the database to one embedding model and builds the ANN index for its
 * dimension. A second, different model is refused: its distances to the stored
 * vectors would mean nothing. Re-embedding with a new model is a migration, not a config flip.
 */
export async function registerEmbeddingModel(db: Database, modelId: string, dimension: number): Promise<void> {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > 16000) {
    throw new AppError('E_EMBEDDING_DIMENSION', `invalid embedding dimension ${dimension}`);
  }
  await db.transaction(async (tx) => {
    if (db.engine === 'postgres') await tx.query('select pg_advisory_xact_lock(7233002)');
    await tx.query('insert into embedding_models (model_id, dimension) values ($1, $2) on conflict do nothing', [modelId, dimension]);
    const { rows } = await tx.query<{ model_id: string; dimension: number }>('select model_id, dimension from embedding_models');
    const pinned = rows[0]!;
    if (pinned.model_id !== modelId || pinned.dimension !== dimension) {
      throw new AppError(
        'E_EMBEDDING_MODEL_MISMATCH',
        `the database holds vectors of ${pinned.model_id} (${pinned.dimension} dimensions); refusing to mix in ${modelId} (${dimension})`,
      );
    }
    // The dimension is a checked integer, never client input; DDL cannot take it as a parameter.
    await tx.query(
      `create index if not exists chunks_embedding_hnsw on chunks using hnsw ((embedding::vector(${dimension})) vector_cosine_ops)`,
    );
  });
}

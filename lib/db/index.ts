import type { Config } from '../config.ts';
import { migrate } from './migrate.ts';
import type { Database } from './port.ts';

export type { Database, Queryable } from './port.ts';

/** PostgreSQL when DATABASE_URL is set, else embedded PGlite; migrated before use. Adapters load only when chosen. */
export async function createDatabase(config: Pick<Config, 'DATABASE_URL' | 'PGLITE_DIR' | 'DATABASE_POOL_MAX'>): Promise<Database> {
  const db = config.DATABASE_URL
    ? await (await import('./adapters/postgres.ts')).createPostgresDatabase(config.DATABASE_URL, config.DATABASE_POOL_MAX)
    : await (await import('./adapters/pglite.ts')).createPgliteDatabase(config.PGLITE_DIR);
  await migrate(db);
  return db;
}

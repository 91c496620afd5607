import { mkdirSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Database, Queryable } from '../port.ts';

/**
 * PGlite: PostgreSQL compiled to WASM, in this process, with pgvector and pg_trgm.
 * It has one connection, so statements are serialized; transactions hold it.
 */
export async function createPgliteDatabase(dataDir: string): Promise<Database> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir, { extensions: { vector, pg_trgm } });
  const run = (client: Pick<PGlite, 'query'>): Queryable => ({
    async query(sql, params = []) {
      // PGlite answers through promise jobs alone, so a chain of statements would
      // never let timers run: heartbeats, HTTP and polling would wait for the whole
      // chain. One turn of the event loop before each statement lets them through.
      await nextTurn();
      const result = await client.query(sql, params as unknown[]);
      return { rows: result.rows as never[] };
    },
  });
  const database: Database = {
    engine: 'pglite',
    ...run(db),
    transaction: (work) => db.transaction((tx) => work(run(tx))),
    close: () => db.close(),
  };
  handles.set(database, db);
  return database;
}

/** The PGlite instance behind a Database, for what the port cannot say: backups dump and load its data directory. */
const handles = new WeakMap<Database, PGlite>();
export const pgliteOf = (db: Database): PGlite | undefined => handles.get(db);

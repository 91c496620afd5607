import pg from 'pg';
import type { Database, Queryable } from '../port.ts';

/**
 * Counts and sums come back as bigint (int8); like PGlite, read them as numbers,
 * so both adapters return the same rows. Our int8 values stay far below 2^53.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** PostgreSQL through a `pg` pool; the production engine. */
export async function createPostgresDatabase(url: string, poolMax: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolMax, connectionTimeoutMillis: 10_000, types });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  await pool.query('select 1');
  const run = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query(sql, params = []) {
      const result = await client.query(sql, params as unknown[]);
      return { rows: result.rows };
    },
  });
  return {
    engine: 'postgres',
    ...run(pool),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const value = await work(run(client));
        await client.query('commit');
        return value;
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * Embedded PGlite: its own data-directory dump (a tar of the data directory, as
 * PGlite.clone() uses), restored by loading it into a fresh in-memory PGlite.
 */
import { Readable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { pgliteOf } from '../db/adapters/pglite.ts';
import type { Database, Queryable } from '../db/index.ts';
import { AppError } from '../errors.ts';
import { backedUpTables, CATALOG_TABLE, countRows, ident, schemaVersion } from './tables.ts';

const handleOf = (db: Database) => {
  const handle = pgliteOf(db);
  if (!handle) throw new AppError('E_BACKUP_ENGINE', 'this database is not an embedded PGlite');
  return handle;
};

const queryable = (pg: Pick<PGlite, 'query'>): Queryable => ({
  query: async (sql, params = []) => ({ rows: (await pg.query(sql, params as unknown[])).rows as never[] }),
});

/**
 * Counts rows and dumps the data directory inside one transaction: PGlite runs
 * one transaction at a time and every statement outside one waits for it, so
 * nothing commits between the counts and the dump. Loading the dump replays its
 * WAL like a restart after a crash, which drops our open (read-only) transaction.
 */
export async function dumpPglite(db: Database): Promise<{ dump: Readable; rowCounts: Record<string, number>; schemaVersion: string }> {
  const pg = handleOf(db);
  const { file, rowCounts, version } = await pg.transaction(async (tx) => {
    const rowCounts = await countRows(queryable(tx));
    const version = await schemaVersion(queryable(tx));
    // Takes only the statement lock, free between this transaction's statements.
    const file = await pg.dumpDataDir('none');
    return { file, rowCounts, version };
  });
  return { dump: Readable.from(Buffer.from(await file.arrayBuffer())), rowCounts, schemaVersion: version };
}

/** A dump loaded into an in-memory PGlite; close it when done. */
export async function loadPgliteDump(dump: Readable): Promise<PGlite> {
  const chunks: Buffer[] = [];
  for await (const chunk of dump) chunks.push(chunk as Buffer);
  return PGlite.create({ loadDataDir: new Blob([Buffer.concat(chunks)]), extensions: { vector, pg_trgm } });
}

export async function countInScratchPglite(dump: Readable): Promise<Record<string, number>> {
  const scratch = await loadPgliteDump(dump);
  try {
    return await countRows(queryable(scratch));
  } finally {
    await scratch.close();
  }
}

/**
 * Restores over the live embedded database, table by table, in one transaction:
 * every table but the backups catalog is emptied and refilled from the dump
 * (COPY through PGlite's /dev/blob), sequences are set to the dump's values, and
 * triggers are off meanwhile (session_replication_role), so the rows are the
 * dump's exactly. The platform keeps its open database: PGlite runs nothing else
 * until the transaction commits, and a failure rolls all of it back.
 */
export async function restorePglite(db: Database, dump: Readable): Promise<void> {
  const live = handleOf(db);
  const scratch = await loadPgliteDump(dump);
  try {
    const tables = await backedUpTables(queryable(scratch));
    const columnsOf = async (table: string) =>
      (
        await scratch.query<{ name: string }>(
          `select a.attname as name from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'public' and c.relname = $1 and a.attnum > 0 and not a.attisdropped and a.attgenerated = '' order by a.attnum`,
          [table],
        )
      ).rows.map((r) => ident(r.name));
    const sequences = (
      await scratch.query<{ name: string }>(`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'S'`)
    ).rows.map((r) => r.name);
    await live.transaction(async (tx) => {
      await tx.query(`set local session_replication_role = replica`);
      if (tables.length) await tx.query(`truncate ${tables.map((t) => `public.${ident(t)}`).join(', ')}`);
      for (const table of tables) {
        if (table === CATALOG_TABLE) continue;
        const columns = (await columnsOf(table)).join(', ');
        const out = await scratch.query(`copy (select ${columns} from public.${ident(table)}) to '/dev/blob'`);
        if (out.blob && out.blob.size > 0) await tx.query(`copy public.${ident(table)} (${columns}) from '/dev/blob'`, [], { blob: out.blob });
      }
      for (const sequence of sequences) {
        const { rows } = await scratch.query<{ last_value: number; is_called: boolean }>(`select last_value, is_called from public.${ident(sequence)}`);
        await tx.query('select setval($1::regclass, $2, $3)', [`public.${ident(sequence)}`, rows[0]!.last_value, rows[0]!.is_called]);
      }
    });
  } finally {
    await scratch.close();
  }
}

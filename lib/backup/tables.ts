/** The tables a backup covers and their row counts: every table in `public` except the backups catalog itself. */
import type { Queryable } from '../db/index.ts';

/** Not part of any dump: a restore keeps today's catalog of backups. */
export const CATALOG_TABLE = 'backups';

/** Top-level tables (a partitioned table counts its partitions), sorted by name. */
export async function backedUpTables(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition and c.relname <> $1 order by c.relname`,
    [CATALOG_TABLE],
  );
  return rows.map((r) => r.name);
}

/** A catalog name as an SQL identifier (names come from pg_class, never from input). */
export const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Rows per table, read in the caller's transaction (so they match a dump of the same snapshot). */
export async function countRows(db: Queryable): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await backedUpTables(db)) {
    const { rows } = await db.query<{ n: number | string }>(`select count(*) as n from public.${ident(table)}`);
    counts[table] = Number(rows[0]!.n);
  }
  return counts;
}

/** The last migration applied: a backup restores only onto the same schema. */
export async function schemaVersion(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ name: string | null }>('select max(name) as name from schema_migrations');
  return rows[0]?.name ?? '';
}

/** Differences between the counts a backup recorded and those found after a restore, as problems. */
export function compareCounts(expected: Record<string, number>, found: Record<string, number>): string[] {
  const problems: string[] = [];
  for (const table of new Set([...Object.keys(expected), ...Object.keys(found)])) {
    if (expected[table] !== found[table]) {
      problems.push(`table ${table}: ${expected[table] ?? 'absent'} rows in the manifest, ${found[table] ?? 'absent'} after restore`);
    }
  }
  return problems.sort();
}

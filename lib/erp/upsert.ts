/**
 * Writes ERP rows by key, many per statement: each column travels as one array
 * parameter and `unnest` turns them back into rows, so a batch of thousands is
 * one statement with a handful of parameters (PGlite and PostgreSQL alike).
 */
import type { Queryable } from '../db/index.ts';
import { arrayType, TABLE_SPECS, type ErpTable } from './tables.ts';

/**
 * Inserts `rows` (values in the order of `columns`), or updates the row with the
 * same key. Only the given columns are written; a row whose values are already
 * those is left alone, so importing a file twice changes nothing the second time
 * (and queues nothing for search). `columns` must be catalog names and hold the key.
 */
export async function upsertRows(db: Queryable, table: ErpTable, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
  if (rows.length === 0) return;
  const spec = TABLE_SPECS[table];
  for (const column of columns) if (!spec.columns[column]) throw new Error(`${table} has no column ${column}`);
  if (!columns.includes(spec.key)) throw new Error(`an upsert of ${table} needs its key ${spec.key}`);
  const list = columns.join(', ');
  const arrays = columns.map((c, i) => `$${i + 1}::${arrayType[spec.columns[c]!.type]}`).join(', ');
  const changing = columns.filter((c) => c !== spec.key);
  const conflict = changing.length
    ? `do update set ${changing.map((c) => `${c} = excluded.${c}`).join(', ')}
       where (${changing.map((c) => `${table}.${c}`).join(', ')}) is distinct from (${changing.map((c) => `excluded.${c}`).join(', ')})`
    : 'do nothing';
  const values = columns.map((_, i) => rows.map((row) => row[i] ?? null));
  await db.query(`insert into ${table} (${list}) select * from unnest(${arrays}) on conflict (${spec.key}) ${conflict}`, values);
}

/** Plain inserts of new rows (the generator into empty tables). */
export async function insertRows(db: Queryable, table: ErpTable, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
  if (rows.length === 0) return;
  const spec = TABLE_SPECS[table];
  const arrays = columns.map((c, i) => `$${i + 1}::${arrayType[spec.columns[c]!.type]}`).join(', ');
  await db.query(`insert into ${table} (${columns.join(', ')}) select * from unnest(${arrays})`, columns.map((_, i) => rows.map((row) => row[i] ?? null)));
}

/**
 * Puts a generated company into the ERP tables: on PostgreSQL by COPY over a
 * connection of its own, elsewhere (PGlite) by batched INSERTs, all in one
 * transaction either way, streaming rows so memory stays flat at any size.
 */
import pg from 'pg';
import type { Database, Queryable } from '../db/index.ts';
import { AppError } from '../errors.ts';
import { copyFromStdin, copyValue } from './copy.ts';
import { generateCustomers, generateProducts, planErp, type Anomaly, type ErpGenerationOptions, type ErpPlan } from './generate.ts';
import { generateOrders } from './generate-orders.ts';
import { TABLE_SPECS, type ErpTable } from './tables.ts';
import { insertRows } from './upsert.ts';

export interface LoadOptions {
  /** PostgreSQL URL: rows go by COPY over their own connection. Without it, batched INSERTs through the database port. */
  copyUrl?: string;
  /**
   * Queue the new customers and orders for search (the search_changes outbox), as
   * any other write does. `false` keeps a bulk load of millions out of the outbox:
   * the search triggers are off inside the loading transaction only (other sessions
   * never see them off), and search learns the rows from a rebuild.
   */
  indexQueue?: boolean;
  /** Empty the ERP tables first (TRUNCATE, with what references them). Without it they must be empty. */
  replace?: boolean;
  /** Rows per INSERT on the batched path. Default 5000. */
  batchRows?: number;
  onProgress?: (table: ErpTable, rows: number) => void;
}

export interface LoadResult {
  plan: ErpPlan;
  counts: Record<ErpTable, number>;
  anomalies: Anomaly[];
  ms: number;
}

export class ErpNotEmptyError extends AppError {
  constructor() {
    super('E_ERP_NOT_EMPTY', 'the ERP tables already hold data: generate into empty tables, or replace what is there (--replace)');
  }
}

/** The search triggers that queue new rows (migration 006); off for a load without the index queue. */
const queueingTriggers = [
  ['customers', 'customers_search_inserted'],
  ['orders', 'orders_search_inserted'],
] as const;

const columnsOf = (table: ErpTable) => Object.keys(TABLE_SPECS[table].columns);
const valuesOf = (table: ErpTable, row: object) => columnsOf(table).map((c) => (row as Record<string, unknown>)[c]);

function* rowsOf(plan: ErpPlan, table: ErpTable): Generator<unknown[]> {
  const rows = table === 'customers' ? generateCustomers(plan) : table === 'products' ? generateProducts(plan) : generateOrders(plan);
  for (const row of rows) yield valuesOf(table, row);
}

async function prepare(tx: Queryable, load: LoadOptions, disable: boolean): Promise<void> {
  if (load.replace) await tx.query('truncate orders, customers, products cascade');
  else {
    const { rows } = await tx.query<{ used: boolean }>(
      'select exists (select 1 from customers) or exists (select 1 from products) or exists (select 1 from orders) as used',
    );
    if (rows[0]?.used) throw new ErpNotEmptyError();
  }
  // Names from the list above, not input. Transactional DDL: other sessions wait on the lock, never see them off.
  if (disable) for (const [table, trigger] of queueingTriggers) await tx.query(`alter table ${table} disable trigger ${trigger}`);
}

export async function loadGeneratedErp(db: Database, options: ErpGenerationOptions, load: LoadOptions = {}): Promise<LoadResult> {
  const started = performance.now();
  const plan = planErp(options);
  const counts: Record<ErpTable, number> = { customers: 0, products: 0, orders: 0 };
  const skipQueue = load.indexQueue === false;
  const tables: ErpTable[] = ['customers', 'products', 'orders'];
  if (load.copyUrl) {
    const client = new pg.Client({ connectionString: load.copyUrl });
    await client.connect();
    try {
      await client.query('begin');
      const tx: Queryable = { query: async (sql, params) => ({ rows: (await client.query(sql, params as unknown[])).rows }) };
      await prepare(tx, load, skipQueue);
      for (const table of tables) {
        await copyFromStdin(client, `copy ${table} (${columnsOf(table).join(', ')}) from stdin`, copyChunks(rowsOf(plan, table), (n) => {
          counts[table] = n;
          load.onProgress?.(table, n);
        }));
      }
      if (skipQueue) for (const [table, trigger] of queueingTriggers) await client.query(`alter table ${table} enable trigger ${trigger}`);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    } finally {
      await client.end();
    }
  } else {
    const batchRows = load.batchRows ?? 5000;
    await db.transaction(async (tx) => {
      await prepare(tx, load, skipQueue);
      for (const table of tables) {
        let batch: unknown[][] = [];
        for (const row of rowsOf(plan, table)) {
          batch.push(row);
          if (batch.length >= batchRows) {
            await insertRows(tx, table, columnsOf(table), batch);
            counts[table] += batch.length;
            load.onProgress?.(table, counts[table]);
            batch = [];
          }
        }
        await insertRows(tx, table, columnsOf(table), batch);
        counts[table] += batch.length;
        load.onProgress?.(table, counts[table]);
      }
      if (skipQueue) for (const [table, trigger] of queueingTriggers) await tx.query(`alter table ${table} enable trigger ${trigger}`);
    });
  }
  return { plan, counts, anomalies: plan.anomalies, ms: Math.round(performance.now() - started) };
}

/** COPY text lines, about 256 kB per chunk; reports the rows sent every chunk. */
function* copyChunks(rows: Iterable<unknown[]>, progress: (rows: number) => void): Generator<string> {
  let chunk = '';
  let n = 0;
  for (const row of rows) {
    chunk += row.map(copyValue).join('\t') + '\n';
    n++;
    if (chunk.length >= 256 * 1024) {
      yield chunk;
      chunk = '';
      progress(n);
    }
  }
  if (chunk) yield chunk;
  progress(n);
}

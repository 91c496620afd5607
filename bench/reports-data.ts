/**
 * bench/reports' data: BENCH_ORDERS generated ERP orders (lib/erp, by COPY) in a
 * PostgreSQL database of their own, named after the order count and the seed.
 *
 * Loading 1M orders takes a minute or two, so with BENCH_KEEP_DB=1 the database
 * is kept after the run and reused by the next run with the same count and seed
 * (BENCH_RELOAD=1 drops and reloads it). Without BENCH_KEEP_DB it is dropped at
 * the end, as any scratch database. The load is one transaction, so a database
 * holding exactly the expected number of orders is a complete one.
 */
import pg from 'pg';
import { createDatabase, type Database } from '../lib/db/index.ts';
import { loadGeneratedErp } from '../lib/erp/generate-load.ts';

export interface BenchDatabase {
  url: string;
  db: Database;
  /** Seconds the load took; null when an earlier run's data was reused. */
  loadSeconds: number | null;
  close(): Promise<void>;
}

const adminQuery = async (adminUrl: string, sql: string, params: unknown[] = []) => {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return (await admin.query(sql, params)).rows;
  } finally {
    await admin.end();
  }
};

export async function openBenchDatabase(options: { orders: number; seed: string; keep: boolean; reload: boolean; poolMax: number }): Promise<BenchDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set: run with `npm run bench:reports`, which starts PostgreSQL');
  // Only [a-z0-9_] from the seed, so the name is a plain identifier (it comes from our env, not a request).
  const name = `aistack_bench_reports_${options.orders}_${options.seed.toLowerCase().replace(/[^a-z0-9]/g, '_')}`.slice(0, 63);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const exists = (await adminQuery(adminUrl, 'select 1 from pg_database where datname = $1', [name])).length > 0;
  if (exists && options.reload) await adminQuery(adminUrl, `drop database ${name} with (force)`);
  if (!exists || options.reload) await adminQuery(adminUrl, `create database ${name}`);

  const db = await createDatabase({ DATABASE_URL: url.toString(), PGLITE_DIR: '', DATABASE_POOL_MAX: options.poolMax });
  const drop = async () => {
    await db.close();
    if (!options.keep) await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
  };
  try {
    const { rows } = await db.query<{ n: string }>('select count(*) as n from orders');
    let loadSeconds: number | null = null;
    if (Number(rows[0]!.n) !== options.orders) {
      const started = performance.now();
      // replace: a partial or different earlier load (another generator version) is emptied first.
      await loadGeneratedErp(db, { orders: options.orders, seed: options.seed }, { copyUrl: url.toString(), indexQueue: false, replace: true });
      await db.query('vacuum analyze customers');
      await db.query('vacuum analyze products');
      await db.query('vacuum analyze orders');
      loadSeconds = (performance.now() - started) / 1000;
    }
    return { url: url.toString(), db, loadSeconds, close: drop };
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
}

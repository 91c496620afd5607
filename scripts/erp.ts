/**
 * `npm run erp -- generate --orders N [--seed S] [--days D] [--end YYYY-MM-DD]
 *   [--customers N] [--products N] [--replace] [--no-index-queue]`
 *
 * Fills the ERP tables (customers, products, orders) with a deterministic company:
 * the same options make the same rows. Writes to DATABASE_URL by COPY, else to the
 * embedded PGlite directory (PGLITE_DIR; stop `npm start` first, PGlite has one
 * owner). Prints the counts, the time taken and the injected anomalies as JSON.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config.ts';
import { createDatabase } from '../lib/db/index.ts';
import { loadGeneratedErp } from '../lib/erp/generate-load.ts';

const usage = 'usage: npm run erp -- generate --orders N [--seed S] [--days D] [--end YYYY-MM-DD] [--customers N] [--products N] [--replace] [--no-index-queue]';

function wholeNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} must be a whole number, not ${JSON.stringify(value)}`);
  return Number(value);
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      orders: { type: 'string' },
      seed: { type: 'string' },
      days: { type: 'string' },
      end: { type: 'string' },
      customers: { type: 'string' },
      products: { type: 'string' },
      replace: { type: 'boolean', default: false },
      'no-index-queue': { type: 'boolean', default: false },
    },
  });
  if (positionals[0] !== 'generate' || positionals.length !== 1 || values.orders === undefined) {
    console.error(usage);
    process.exit(2);
  }
  const config = loadConfig();
  const db = await createDatabase({ ...config, DATABASE_POOL_MAX: 2 });
  let lastReport = 0;
  try {
    const result = await loadGeneratedErp(
      db,
      {
        orders: wholeNumber('orders', values.orders)!,
        seed: values.seed,
        days: wholeNumber('days', values.days),
        end: values.end,
        customers: wholeNumber('customers', values.customers),
        products: wholeNumber('products', values.products),
      },
      {
        copyUrl: config.DATABASE_URL,
        replace: values.replace,
        indexQueue: !values['no-index-queue'],
        onProgress(table, rows) {
          if (Date.now() - lastReport < 2000) return;
          lastReport = Date.now();
          console.error(`erp: ${table} ${rows.toLocaleString('en')} rows`);
        },
      },
    );
    console.log(JSON.stringify({ engine: db.engine, seed: result.plan.seed, counts: result.counts, ms: result.ms, anomalies: result.anomalies }, null, 2));
    if (values['no-index-queue']) {
      console.error('erp: the new rows were not queued for search; rebuild the customers and orders indexes (POST /v1/admin/search/rebuild)');
    }
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(`erp: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

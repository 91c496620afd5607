/**
 * bench/reports: `npm run bench:reports`. Not a test.
 *
 * Data: BENCH_ORDERS generated ERP orders (default 1 000 000, lib/erp by COPY,
 * seed BENCH_SEED, default `aistack`: 2024 and 2025) in a PostgreSQL database of
 * their own (bench/reports-data.ts; BENCH_KEEP_DB=1 keeps it for the next run,
 * BENCH_RELOAD=1 reloads it).
 * Pivot: paid 2025 revenue by region × month, and avg revenue + distinct
 * customers by region, category × quarter (subtotals), each with its totals:
 * ours = pivotQuery through the analytics engine (no answer cache), peer = the
 * same cells as one hand-written GROUP BY CUBE/ROLLUP in PostgreSQL, and arquero
 * over every raw order row in memory (its own process; loading timed apart).
 * All three are checked cell by cell first; then a warm-up and BENCH_RUNS
 * (default 7) rotated rounds; medians.
 * Excel: BENCH_XLSX_ROWS rows (default BENCH_ORDERS) of orders, made by the
 * generator in the child: ours = writeXlsxTable, peer = exceljs's streaming
 * WorkbookWriter, each in a fresh process for its peak RSS, BENCH_XLSX_RUNS each
 * (default 3, ABBA order); medians.
 * Last line: `reports: ours=<s> peer=<s> ratio=<r>`, the first pivot against raw SQL.
 */
import { loadConfig } from '../lib/config.ts';
import { openBenchDatabase } from './reports-data.ts';
import { loadOurPivot, loadOurXlsx } from './reports-ours.ts';
import { benchPivots, startArquero, type ArqueroMemory } from './reports-pivot.ts';
import { benchXlsx, type XlsxRun } from './reports-xlsx.ts';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const SEED = process.env.BENCH_SEED ?? 'aistack';
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const XLSX_ROWS = Number(process.env.BENCH_XLSX_ROWS ?? ORDERS);
const XLSX_RUNS = Number(process.env.BENCH_XLSX_RUNS ?? 3);
const PARTS = (process.env.BENCH_PARTS ?? 'pivot,arquero,xlsx').split(',');

const log = (line: string) => console.log(line);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
// The median, and the range in brackets: the machine is shared, so the spread says how far to trust it.
const ms = (values?: number[]) => (values?.length ? `${median(values).toFixed(0)} ms (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})` : '-');
const ratio = (a?: number[], b?: number[]) => (a?.length && b?.length ? (median(a) / median(b)).toFixed(2) : '-');
const table = (header: string[], rows: string[][]) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
};

const config = loadConfig({ ...process.env, DATABASE_URL: undefined });
const ours = await loadOurPivot();
const ourXlsx = await loadOurXlsx();
for (const missing of [ours, ourXlsx].filter((o): o is string => typeof o === 'string')) log(`ours: ${missing}; measuring the peers only`);

const bench = await openBenchDatabase({
  orders: ORDERS,
  seed: SEED,
  keep: process.env.BENCH_KEEP_DB === '1',
  reload: process.env.BENCH_RELOAD === '1',
  // The production pool (DATABASE_POOL_MAX): our pivot sends its levels at once, as it would in the API.
  poolMax: config.DATABASE_POOL_MAX,
});
log(`data: ${ORDERS} orders (seed ${SEED}) ${bench.loadSeconds === null ? 'reused from an earlier run' : `loaded by COPY in ${bench.loadSeconds.toFixed(1)} s`}`);

let pivots: Awaited<ReturnType<typeof benchPivots>> = [];
let arqueroMemory: ArqueroMemory | null = null;
let xlsx: Awaited<ReturnType<typeof benchXlsx>> | null = null;
try {
  if (PARTS.includes('pivot')) {
    const arquero = PARTS.includes('arquero') ? await startArquero(bench.url) : null;
    if (arquero) {
      arqueroMemory = arquero.loaded;
      log(`arquero: ${arquero.loaded.rows} raw rows loaded in ${arquero.loaded.loadSeconds.toFixed(1)} s; heap ${arquero.loaded.heapMB.toFixed(0)} MB, RSS ${arquero.loaded.rssMB.toFixed(0)} MB after loading`);
    }
    try {
      // The production limits (lib/config.ts), so a pivot the API would refuse is refused here too; UTC as the peer's SQL.
      const engine = typeof ours === 'string' ? null : ours.createAnalyticsEngine(bench.db, {
        statementTimeoutMs: config.ANALYTICS_STATEMENT_TIMEOUT_MS,
        maxCost: config.ANALYTICS_MAX_COST,
        timeZone: 'UTC',
      });
      log(`pivot: checking cells, then ${RUNS} rounds after a warm-up`);
      const started = performance.now();
      pivots = await benchPivots({ db: bench.db, engine, pivotQuery: typeof ours === 'string' ? null : ours.pivotQuery, arquero, runs: RUNS, log });
      log(`pivot: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    } finally {
      if (arquero) {
        const last = await arquero.ask({ exit: true }).catch(() => null);
        if (arqueroMemory && last && 'maxRssMB' in last) arqueroMemory.maxRssMB = last.maxRssMB;
      }
    }
  }
  if (PARTS.includes('xlsx')) {
    log(`xlsx: ${XLSX_ROWS} rows, ${XLSX_RUNS} run(s) per side, each in its own process`);
    xlsx = await benchXlsx({ orders: XLSX_ROWS, seed: SEED, runs: XLSX_RUNS, ours: typeof ourXlsx !== 'string', log });
  }
} finally {
  await bench.close();
}

log('');
log(`reports benchmark: ${ORDERS} orders, medians of ${RUNS} pivot rounds`);
log(table(
  ['pivot (paid, 2025)', 'cells', 'ours', 'peer SQL', 'arquero', 'ours/SQL', 'ours/arquero'],
  pivots.map((p) => [p.name, String(p.cells), ms(p.ours), ms(p.sql), ms(p.arquero), ratio(p.ours, p.sql), ratio(p.ours, p.arquero)]),
));
if (arqueroMemory) {
  log(`arquero memory: ${arqueroMemory.rows} rows loaded in ${arqueroMemory.loadSeconds.toFixed(1)} s (not in its times above); ` +
    `heap ${arqueroMemory.heapMB.toFixed(0)} MB, RSS ${arqueroMemory.rssMB.toFixed(0)} MB after loading, peak RSS ${arqueroMemory.maxRssMB?.toFixed(0) ?? '?'} MB`);
}
if (xlsx) {
  const row = (name: string, runs: XlsxRun[]) =>
    runs.length ? [name, String(runs[0]!.rows), `${median(runs.map((r) => r.seconds)).toFixed(1)} s`, `${median(runs.map((r) => r.seconds - xlsx!.rows.seconds)).toFixed(1)} s`,
      `${median(runs.map((r) => r.maxRssMB)).toFixed(0)} MB`, `${(median(runs.map((r) => r.bytes)) / 2 ** 20).toFixed(1)} MB`] : [name, '-', '-', '-', '-', '-'];
  log('');
  log(table(['xlsx export', 'rows', 'time', 'less generator', 'peak RSS', 'file'], [
    row('ours writeXlsxTable', xlsx.ours),
    row('peer exceljs WorkbookWriter', xlsx.peer),
    ['generator alone', String(xlsx.rows.rows), `${xlsx.rows.seconds.toFixed(1)} s`, '-', `${xlsx.rows.maxRssMB.toFixed(0)} MB`, '-'],
  ]));
  const seconds = (runs: XlsxRun[]) => runs.map((r) => r.seconds);
  log(`xlsx: ours/peer time ratio=${ratio(seconds(xlsx.ours), seconds(xlsx.peer))}, peak RSS ratio=${ratio(xlsx.ours.map((r) => r.maxRssMB), xlsx.peer.map((r) => r.maxRssMB))}`);
}
for (const problem of [...pivots.flatMap((p) => p.problems.map((q) => `${p.name}: ${q}`)), ...(xlsx?.problems ?? [])]) log(`PROBLEM ${problem}`);

const first = pivots[0];
const oursS = first?.ours?.length ? (median(first.ours) / 1000).toFixed(3) : 'n/a';
const peerS = first?.sql.length ? (median(first.sql) / 1000).toFixed(3) : 'n/a';
log(`reports: ours=${oursS} peer=${peerS} ratio=${ratio(first?.ours, first?.sql)}`);

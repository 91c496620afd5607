/**
 * bench/reports' arquero peer, in a process of its own (forked by bench/reports.ts
 * with IPC) so its memory is its own and its runs can interleave with ours.
 *
 * It loads every order once, joined with its customer's region and segment and
 * its product's category (raw rows, the way one would pull them into a dataframe;
 * timed apart), then on each `run` message computes a case's cells with arquero:
 * filter, one groupby + rollup per grouping set, and `pivot` of the periods into
 * columns, the way an arquero user gets the same table with its totals.
 */
import pg from 'pg';
import { table, type ColumnTable } from 'arquero';
import { cellKey, PIVOT_CASES, ROLLED_UP, YEAR_FROM, YEAR_TO, type Cells, type PivotCase } from './reports-pivot-cases.ts';

export type ArqueroRequest = { run: number; cells: boolean } | { exit: true };
export type ArqueroReply =
  | { loaded: { rows: number; seconds: number; heapMB: number; rssMB: number } }
  | { ms: number; cells?: [string, number | null][] }
  | { maxRssMB: number };

const FETCH = 100_000;
const send = (reply: ArqueroReply) => process.send!(reply);

async function loadOrders(url: string): Promise<ColumnTable> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const columns = { region: [] as string[], segment: [] as string[], category: [] as string[], customer_id: [] as string[], status: [] as string[], ordered_at: [] as number[], quantity: [] as number[], unit_price: [] as number[] };
  try {
    await client.query('begin');
    // A cursor: the rows come FETCH at a time, so only the dataframe itself ends up in memory.
    await client.query(`declare bench_orders no scroll cursor for
      select c.region, c.segment, p.category, o.customer_id, o.status,
             extract(epoch from o.ordered_at)::float8 * 1000 as ordered_at, o.quantity, o.unit_price::float8 as unit_price
      from orders o left join customers c on c.id = o.customer_id left join products p on p.sku = o.sku`);
    for (;;) {
      const { rows } = await client.query(`fetch ${FETCH} from bench_orders`);
      for (const row of rows) for (const [name, values] of Object.entries(columns)) (values as unknown[]).push(row[name]);
      if (rows.length < FETCH) break;
    }
    await client.query('commit');
  } finally {
    await client.end();
  }
  return table(columns);
}

/** A period number (year×12+month or year×4+quarter) as its first day, `YYYY-MM-DD`, as our pivot names columns. */
const periodDate = (pivot: PivotCase, n: number) => {
  const month = pivot.column === 'month' ? n % 12 : (n % 4) * 3;
  const year = pivot.column === 'month' ? Math.floor(n / 12) : Math.floor(n / 4);
  return `${year}-${String(month + 1).padStart(2, '0')}-01`;
};

const MEASURE_EXPR = { sum: 'd => op.sum(d.revenue)', avg: 'd => op.mean(d.revenue)', count_distinct: 'd => op.distinct(d.customer_id)' } as const;

function arqueroCells(orders: ColumnTable, pivot: PivotCase, collect: boolean): Cells | null {
  const period = pivot.column === 'month'
    ? 'd => op.utcyear(d.ordered_at) * 12 + op.utcmonth(d.ordered_at)'
    : 'd => op.utcyear(d.ordered_at) * 4 + op.utcquarter(d.ordered_at)';
  const base = orders
    .params({ status: 'paid', from: Date.parse(`${YEAR_FROM}T00:00:00Z`), to: Date.parse(`${YEAR_TO}T00:00:00Z`) })
    .filter('(d, $) => d.status === $.status && d.ordered_at >= $.from && d.ordered_at < $.to')
    .derive({ period, revenue: 'd => d.quantity * d.unit_price' });
  const measures = Object.fromEntries(pivot.measures.map((m, i) => [`m${i}`, MEASURE_EXPR[m.agg]]));
  const names = Object.keys(measures);
  const cells: Cells = new Map();
  // Grouping sets: all row fields, then each shorter prefix (subtotals) down to none (the total).
  for (let depth = pivot.rows.length; depth >= 0; depth--) {
    const keys = pivot.rows.slice(0, depth);
    const byPeriod = (keys.length ? base.groupby(...keys, 'period') : base.groupby('period')).rollup(measures);
    const wide = (keys.length ? byPeriod.groupby(...keys) : byPeriod).pivot('period', names);
    const overall = (keys.length ? base.groupby(...keys) : base).rollup(measures);
    if (!collect) continue;
    const rowKeyOf = (row: Record<string, unknown>) => pivot.rows.map((_, i) => (i < depth ? (row[pivot.rows[i]!] as string) : ROLLED_UP));
    for (const row of wide.objects() as Record<string, unknown>[]) {
      for (const [name, value] of Object.entries(row)) {
        if ((keys as string[]).includes(name)) continue;
        // One measure: columns are named by the period; several: `m<i>_<period>`.
        const [m, p] = names.length === 1 ? [0, name] : [Number(name.slice(1, name.indexOf('_'))), name.slice(name.indexOf('_') + 1)];
        if (value !== undefined) cells.set(cellKey(m, rowKeyOf(row), periodDate(pivot, Number(p))), value as number);
      }
    }
    for (const row of overall.objects() as Record<string, unknown>[]) {
      names.forEach((name, m) => cells.set(cellKey(m, rowKeyOf(row), ROLLED_UP), row[name] as number));
    }
  }
  return collect ? cells : null;
}

const url = process.env.BENCH_DATABASE_URL!;
let started = performance.now();
let orders: ColumnTable | null = await loadOrders(url);
globalThis.gc?.();
const memory = process.memoryUsage();
send({ loaded: { rows: orders.numRows(), seconds: (performance.now() - started) / 1000, heapMB: memory.heapUsed / 2 ** 20, rssMB: memory.rss / 2 ** 20 } });

process.on('message', (message: ArqueroRequest) => {
  if ('exit' in message) {
    orders = null;
    send({ maxRssMB: process.resourceUsage().maxRSS / 1024 });
    process.disconnect();
    return;
  }
  started = performance.now();
  const cells = arqueroCells(orders!, PIVOT_CASES[message.run]!, message.cells);
  const ms = performance.now() - started;
  send(cells ? { ms, cells: [...cells] } : { ms });
});

/**
 * The pivots bench/reports times, each three ways: through our pivot (a
 * PivotRequest), as one hand-written PostgreSQL statement (the peer), and in
 * arquero over the raw rows (bench/reports-arquero-child.ts). Every way ends in
 * the same shape, a map of cells (see `cellKey`), so they can be compared cell
 * by cell, totals and subtotals included, before anything is timed.
 */
import type { PivotRequest, PivotResult, Value } from '../lib/analytics/types.ts';

/** 2025, paid orders only, as [from, to) in UTC (the engine's time zone in the bench). */
export const YEAR_FROM = '2025-01-01';
export const YEAR_TO = '2026-01-01';

export interface PivotCase {
  name: string;
  /** What the arquero side needs to compute the same cells. */
  rows: ('region' | 'category' | 'segment')[];
  column: 'month' | 'quarter';
  measures: { field: 'revenue' | 'customer_id'; agg: 'sum' | 'avg' | 'count_distinct' }[];
  request: PivotRequest;
  /** The peer: hand-written SQL giving every cell, subtotal and total in one GROUP BY. */
  sql: string;
  params: unknown[];
}

const paid2025 = [
  { field: 'status', op: 'eq' as const, value: 'paid' },
  { field: 'ordered_at', op: 'gte' as const, value: YEAR_FROM },
  { field: 'ordered_at', op: 'lt' as const, value: YEAR_TO },
];

export const PIVOT_CASES: PivotCase[] = [
  {
    name: 'revenue region×month',
    rows: ['region'],
    column: 'month',
    measures: [{ field: 'revenue', agg: 'sum' }],
    request: { source: 'orders', rows: ['region'], columns: ['month'], measures: [{ field: 'revenue', agg: 'sum' }], filters: paid2025 },
    // cube(region, month) = the cells, each region's total, each month's total, the grand total.
    sql: `select c.region as r0,
                 to_char(date_trunc('month', o.ordered_at at time zone 'UTC'), 'YYYY-MM-DD') as c0,
                 grouping(c.region) as g_r0,
                 grouping(date_trunc('month', o.ordered_at at time zone 'UTC')) as g_c0,
                 sum(o.quantity * o.unit_price) as m0
          from orders o left join customers c on c.id = o.customer_id
          where o.status = $1 and o.ordered_at >= $2::timestamptz and o.ordered_at < $3::timestamptz
          group by cube(c.region, date_trunc('month', o.ordered_at at time zone 'UTC'))`,
    params: ['paid', `${YEAR_FROM}T00:00:00Z`, `${YEAR_TO}T00:00:00Z`],
  },
  {
    name: 'avg+distinct region,category×quarter',
    rows: ['region', 'category'],
    column: 'quarter',
    measures: [
      { field: 'revenue', agg: 'avg' },
      { field: 'customer_id', agg: 'count_distinct' },
    ],
    request: {
      source: 'orders',
      rows: ['region', 'category'],
      columns: ['quarter'],
      measures: [
        { field: 'revenue', agg: 'avg' },
        { field: 'customer_id', agg: 'count_distinct' },
      ],
      filters: paid2025,
    },
    // rollup(region, category) × cube(quarter): cells, region subtotals, totals, each by quarter and overall.
    // Neither avg nor count distinct adds up, so every total is its own aggregate here.
    sql: `select c.region as r0, p.category as r1,
                 to_char(date_trunc('quarter', o.ordered_at at time zone 'UTC'), 'YYYY-MM-DD') as c0,
                 grouping(c.region) as g_r0, grouping(p.category) as g_r1,
                 grouping(date_trunc('quarter', o.ordered_at at time zone 'UTC')) as g_c0,
                 avg(o.quantity * o.unit_price) as m0,
                 count(distinct o.customer_id) as m1
          from orders o
            left join customers c on c.id = o.customer_id
            left join products p on p.sku = o.sku
          where o.status = $1 and o.ordered_at >= $2::timestamptz and o.ordered_at < $3::timestamptz
          group by rollup(c.region, p.category), cube(date_trunc('quarter', o.ordered_at at time zone 'UTC'))`,
    params: ['paid', `${YEAR_FROM}T00:00:00Z`, `${YEAR_TO}T00:00:00Z`],
  },
];

/** Cells: `cellKey` → value. `*` stands for a field rolled up (a subtotal or total). */
export type Cells = Map<string, number | null>;
export const ROLLED_UP = '*';
export const cellKey = (measure: number, rowKey: readonly Value[], columnKey: Value) =>
  `${measure}|${rowKey.map(String).join('|')}|${String(columnKey)}`;

const numberOf = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/** The peer's rows (g_* = grouping flags, 1 where rolled up) as cells. */
export function cellsOfSql(rows: Record<string, unknown>[], pivot: PivotCase): Cells {
  const cells: Cells = new Map();
  for (const row of rows) {
    const rowKey = pivot.rows.map((_, i) => (row[`g_r${i}`] === 1 ? ROLLED_UP : (row[`r${i}`] as Value)));
    const column = row.g_c0 === 1 ? ROLLED_UP : (row.c0 as Value);
    pivot.measures.forEach((_, m) => cells.set(cellKey(m, rowKey, column), numberOf(row[`m${m}`])));
  }
  return cells;
}

/** Our pivot's rows as cells: detail rows, subtotals (fields past `depth` rolled up), the total; the last column is the row total. */
export function cellsOfPivot(result: PivotResult, pivot: PivotCase): Cells {
  const cells: Cells = new Map();
  for (const row of result.rows) {
    const depth = row.kind === 'detail' ? pivot.rows.length : row.kind === 'total' ? 0 : row.depth;
    const rowKey = pivot.rows.map((_, i) => (i < depth ? row.key[i]! : ROLLED_UP));
    row.cells.forEach((values, m) =>
      values.forEach((value, c) => {
        const column = c < result.columnKeys.length ? result.columnKeys[c]![0]! : ROLLED_UP;
        cells.set(cellKey(m, rowKey, column), value);
      }),
    );
  }
  return cells;
}

/**
 * Differences between two cell maps, at most `limit` described. Money is rounded
 * to the cent by our engine, arquero sums floats: values within a cent (or 1e-9
 * relative) agree. Cells missing on either side count as differences, except a
 * null (no rows) against an absent cell.
 */
export function differences(expected: Cells, actual: Cells, limit = 5): { count: number; examples: string[] } {
  const examples: string[] = [];
  let count = 0;
  for (const key of new Set([...expected.keys(), ...actual.keys()])) {
    const e = expected.get(key) ?? null;
    const a = actual.get(key) ?? null;
    const same = e === null || a === null ? e === a : Math.abs(e - a) <= Math.max(0.0051, 1e-9 * Math.abs(e));
    if (!same) {
      count++;
      if (examples.length < limit) examples.push(`${key}: expected ${e}, got ${a}`);
    }
  }
  return { count, examples };
}

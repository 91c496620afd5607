/**
 * What a pivot should hold, from SQL written here and not by the engine: one
 * GROUPING SETS query over the ERP tables per pivot, its `grouping()` bits
 * telling which level each row belongs to. The field and measure SQL below is
 * ours, written for these tests, so a wrong catalog entry shows up as a diff.
 */
import assert from 'node:assert/strict';
import type { Database } from '../../../lib/db/index.ts';
import type { PivotRequest, PivotResult, Value } from '../../../lib/analytics/types.ts';

export const TZ = 'Asia/Shanghai';
const local = `o.ordered_at at time zone '${TZ}'`;

/** The test's own SQL of each field a pivot here groups by. */
export const FIELD_SQL: Record<string, string> = {
  region: 'c.region',
  segment: 'c.segment',
  category: 'p.category',
  status: 'o.status',
  month: `to_char(date_trunc('month', ${local}), 'YYYY-MM-DD')`,
  quarter: `to_char(date_trunc('quarter', ${local}), 'YYYY-MM-DD')`,
  weekday: `extract(isodow from ${local})::int`,
};

/** The test's own SQL of each measure, by its `as`, over the base columns below; money as exact decimal text. */
export const MEASURE_SQL: Record<string, string> = {
  revenue: 'round(sum(revenue), 2)::text',
  orders: 'count(id)::int',
  avg_price: 'round(avg(unit_price), 2)::text',
  customers: 'count(distinct customer_id)::int',
  p90_revenue: 'round((percentile_cont(0.9) within group (order by revenue))::numeric, 2)::text',
  avg_quantity: 'round(avg(quantity), 6)::text',
  max_quantity: 'max(quantity)::int',
  quantity: 'sum(quantity)::int',
};

/** A group's identity: row depth, whether by columns, and the grouped values (rolled-up ones null). */
export const groupId = (depth: number, byColumns: boolean, key: readonly Value[], column: readonly Value[]) =>
  JSON.stringify([depth, byColumns, ...key.slice(0, depth), ...(byColumns ? column : [])]);

export interface Expected {
  /** Measures (numbers) by groupId. */
  groups: Map<string, (number | null)[]>;
  /** Row headers at each level (depth, key padded with nulls), as SQL found them. */
  rowHeaders: { depth: number; key: Value[] }[];
  columnKeys: Value[][];
  /** Order ids under a group, for drill-down. */
  ids(cell: Record<string, Value>): Promise<string[]>;
}

/**
 * Every level of the pivot in one statement. `where` is SQL over `o` written by
 * the test for the pivot's filters (constants only).
 */
export async function expectedPivot(db: Database, request: PivotRequest, where: string): Promise<Expected> {
  const dims = [...request.rows, ...request.columns];
  const k = request.rows.length;
  const base = `with base as (
      select ${dims.map((d, i) => `${FIELD_SQL[d]} as d${i}`).join(', ')},
             o.id, o.customer_id, o.quantity, o.unit_price, o.quantity * o.unit_price as revenue
      from orders o left join customers c on c.id = o.customer_id left join products p on p.sku = o.sku
      where ${where})`;
  const sets: string[] = [];
  const columnSet = request.columns.map((_, j) => `d${k + j}`);
  for (let depth = 0; depth <= k; depth++) {
    const prefix = Array.from({ length: depth }, (_, i) => `d${i}`);
    sets.push(`(${prefix.join(', ')})`);
    if (columnSet.length > 0) sets.push(`(${[...prefix, ...columnSet].join(', ')})`);
  }
  const names = request.measures.map((m) => m.as!);
  const sql = `${base}
    select ${dims.map((_, i) => `d${i}`).join(', ')}, grouping(${dims.map((_, i) => `d${i}`).join(', ')})::int as g,
           ${names.map((n, i) => `${MEASURE_SQL[n]} as m${i}`).join(', ')}
    from base group by grouping sets (${sets.join(', ')})`;
  const { rows } = await db.query<Record<string, unknown>>(sql);

  const groups = new Map<string, (number | null)[]>();
  const rowHeaders: Expected['rowHeaders'] = [];
  const columnKeys: Value[][] = [];
  for (const r of rows) {
    const g = r.g as number;
    // grouping(): bit (n-1-i) is 1 when d_i is rolled up.
    const grouped = dims.map((_, i) => ((g >> (dims.length - 1 - i)) & 1) === 0);
    const depth = grouped.slice(0, k).filter(Boolean).length;
    const byColumns = columnSet.length > 0 && grouped[k] === true;
    const key = request.rows.map((_, i) => (i < depth ? (r[`d${i}`] as Value) : null));
    const column = request.columns.map((_, j) => r[`d${k + j}`] as Value);
    groups.set(
      groupId(depth, byColumns, key, column),
      names.map((_, i) => (r[`m${i}`] === null ? null : Number(r[`m${i}`]))),
    );
    if (!byColumns) rowHeaders.push({ depth, key });
    if (byColumns && depth === 0) columnKeys.push(column);
  }

  return {
    groups,
    rowHeaders,
    columnKeys,
    async ids(cell) {
      const entries = Object.entries(cell);
      const conditions = entries.map(([name], i) => `${FIELD_SQL[name]} is not distinct from $${i + 1}`);
      const { rows: found } = await db.query<{ id: string }>(
        `select o.id from orders o left join customers c on c.id = o.customer_id left join products p on p.sku = o.sku
         where (${where}) ${conditions.map((c) => `and ${c}`).join(' ')} order by o.id`,
        entries.map(([, v]) => v),
      );
      return found.map((r) => r.id);
    },
  };
}

/** Ascending with nulls last, rolled-up fields after all values: the order a pivot's headers should have. */
export function compareHeaders(a: { depth: number; key: Value[] }, b: { depth: number; key: Value[] }): number {
  for (let i = 0; i < a.key.length; i++) {
    const [ra, rb] = [a.depth <= i, b.depth <= i];
    if (ra !== rb) return ra ? 1 : -1;
    if (ra) continue;
    const [va, vb] = [a.key[i], b.key[i]];
    if (va === vb) continue;
    if (va === null) return 1;
    if (vb === null) return -1;
    return (va as string | number) < (vb as string | number) ? -1 : 1;
  }
  return 0;
}

const ADDITIVE = new Set(['sum', 'count']);

/** Every cell, subtotal, total, header and share of the pivot against the test's SQL. */
export function assertPivot(request: PivotRequest, pivot: PivotResult, expected: Expected): void {
  assert.deepEqual(pivot.columnKeys, [...expected.columnKeys].sort((a, b) => compareHeaders({ depth: a.length, key: a }, { depth: b.length, key: b })));
  const headers = [...expected.rowHeaders].sort(compareHeaders);
  assert.deepEqual(pivot.rows.map((r) => ({ depth: r.depth, key: r.key })), headers, 'rows: every group once, in order');
  assert.deepEqual(pivot.rows.map((r) => r.kind), headers.map((h) => (h.depth === request.rows.length ? 'detail' : h.depth === 0 ? 'total' : 'subtotal')));
  const total = pivot.rows.at(-1)!;
  let checked = 0;
  for (const row of pivot.rows) {
    const at = (c: number, m: number) =>
      (c < pivot.columnKeys.length
        ? expected.groups.get(groupId(row.depth, true, row.key, pivot.columnKeys[c]!))
        : expected.groups.get(groupId(row.depth, false, row.key, [])))?.[m] ?? null;
    request.measures.forEach((measure, m) => {
      const cells = pivot.columnKeys.map((_, c) => at(c, m)).concat(at(pivot.columnKeys.length, m));
      assert.deepEqual(row.cells[m], cells, `${measure.as} of ${row.kind} ${JSON.stringify(row.key)}`);
      checked += cells.length;
      const share = (part: number | null, whole: number | null | undefined) => (!ADDITIVE.has(measure.agg) || part === null || !whole ? null : part / whole);
      const last = cells.length - 1;
      const wholes = { row: () => cells[last], column: (c: number) => total.cells[m]![c], total: () => total.cells[m]![last] };
      for (const kind of request.shares ?? []) {
        assert.deepEqual(row.shares![kind]![m], cells.map((v, c) => share(v, wholes[kind](c))), `${kind} share of ${measure.as}`);
      }
    });
  }
  assert.ok(checked > 100, `checked ${checked} cells`);
}


/**
 * When every measure is a sum or a count, the coarser levels of a pivot are
 * the finest level added up: one query instead of one per level, rolled up by
 * arquero. Exact: money is added in whole cents (integers, exact below 2^53
 * cents) and turned back into the decimal the database would have printed;
 * integers add up exactly as they are. Other aggregations never come here
 * (an average of averages is not the average), see pivot.ts.
 */
import { op, table } from 'arquero';
import type { PivotLevel, PivotShape } from './pivot-layout.ts';
import type { Aggregation, Row, Value } from './types.ts';

const ADDABLE: ReadonlySet<Aggregation> = new Set(['sum', 'count']);

/** Whether the whole pivot can be rolled up from its finest level. */
export const canRollUp = (shape: PivotShape): boolean => shape.measures.every((m) => ADDABLE.has(m.agg));

/**
 * The level (depth, byColumns) from the finest one (all row fields, and the
 * column fields when there are any). A group of only null values sums to null,
 * as SQL's sum does; a count of nothing is never asked (groups have rows).
 */
export function rollUp(shape: PivotShape, finest: PivotLevel, depth: number, byColumns: boolean): PivotLevel {
  const keys = [...shape.rows.slice(0, depth), ...(byColumns ? shape.columns : [])];
  const money = shape.measures.map((m) => finest.result.columns.find((c) => c.name === m.name)?.type === 'money');
  const rows = finest.result.rows;
  // Our own column names (k0…, m0…, n0…): measure aliases may be any identifier and must not collide.
  const columns: Record<string, Value[]> = {};
  keys.forEach((k, i) => (columns[`k${i}`] = rows.map((r) => r[k] ?? null)));
  shape.measures.forEach((m, j) => {
    columns[`m${j}`] = rows.map((r) => {
      const v = r[m.name];
      return v === null || v === undefined ? null : money[j] ? Math.round(Number(v) * 100) : Number(v);
    });
  });
  const sums: Record<string, unknown> = {};
  shape.measures.forEach((_, j) => {
    sums[`m${j}`] = op.sum(`m${j}`);
    sums[`n${j}`] = op.valid(`m${j}`);
  });
  const grouped = table(columns)
    .groupby(keys.map((_, i) => `k${i}`))
    .rollup(sums as Parameters<ReturnType<typeof table>['rollup']>[0]);
  // With no row and no column fields, an empty answer still has its grand total (as SQL's aggregate without GROUP BY).
  const out: Row[] = (grouped.objects() as Record<string, unknown>[]).map((g) => {
    const row: Row = {};
    keys.forEach((k, i) => (row[k] = (g[`k${i}`] as Value) ?? null));
    shape.measures.forEach((m, j) => {
      const sum = g[`n${j}`] ? (g[`m${j}`] as number) : null;
      row[m.name] = sum === null ? (m.agg === 'count' ? 0 : null) : money[j] ? sum / 100 : sum;
    });
    return row;
  });
  return { depth, byColumns, result: { columns: finest.result.columns.filter((c) => c.role === 'measure' || keys.includes(c.name)), rows: out, truncated: false, sql_ms: 0 } };
}

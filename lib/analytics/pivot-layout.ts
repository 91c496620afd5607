/**
 * Lays a pivot out from the database's answers at each grouping level: no
 * arithmetic on the cells at all (every subtotal and total is the database's
 * own aggregate over the rows it covers), only placing each group at its row
 * and column. That is what keeps avg, count_distinct and percentiles exact.
 */
import { headerOrder, keyId, type HeaderKey } from './pivot-order.ts';
import { addShares } from './pivot-shares.ts';
import type { Aggregation, Column, PivotResult, PivotRow, QueryResult, Row, Value } from './types.ts';

/** One grouping level's answer: the first `depth` row fields, and the column fields too or not. */
export interface PivotLevel {
  depth: number;
  /** Grouped by the column fields as well; false: totals over all columns. */
  byColumns: boolean;
  result: QueryResult;
}

export interface PivotShape {
  rows: readonly string[];
  columns: readonly string[];
  /** The measures' column names, in request order, with their aggregations (shares need them). */
  measures: readonly { name: string; agg: Aggregation }[];
  shares: readonly ('row' | 'column' | 'total')[];
}

const levelOf = (levels: readonly PivotLevel[], depth: number, byColumns: boolean): PivotLevel | undefined =>
  levels.find((l) => l.depth === depth && l.byColumns === byColumns);

const pick = (row: Row, fields: readonly string[]): Value[] => fields.map((f) => row[f] ?? null);

function cellValue(row: Row | undefined, measure: string): number | null {
  const value = row?.[measure];
  if (value === null || value === undefined) return null;
  return typeof value === 'number' ? value : Number(value);
}

/** Columns of the answer, in the order of `names` (their types come from the engine). */
function columnsNamed(levels: readonly PivotLevel[], names: readonly string[]): Column[] {
  const all = levels.flatMap((l) => l.result.columns);
  return names.map((name) => all.find((c) => c.name === name) ?? { name, type: 'string', role: 'dimension' });
}

/**
 * The pivot from its levels: `depth` 0 … rows.length without the column fields
 * (each row's total column), and with them when there are column fields. Column
 * headers are the column groups of the grand total by column (depth 0), which
 * is every column group that has a row anywhere.
 */
export function layoutPivot(shape: PivotShape, levels: readonly PivotLevel[]): PivotResult {
  const { rows: rowFields, columns: columnFields, measures } = shape;
  const width = rowFields.length;
  const hasColumns = columnFields.length > 0;

  const columnLevel = hasColumns ? levelOf(levels, 0, true) : undefined;
  const columnHeaders: HeaderKey[] = (columnLevel?.result.rows ?? []).map((r) => ({ key: pick(r, columnFields), depth: columnFields.length }));
  const columnKeys = headerOrder(columnHeaders, columnFields.length).map((i) => columnHeaders[i]!.key);

  const rowHeaders: HeaderKey[] = [];
  for (let depth = width; depth >= 0; depth--) {
    for (const r of levelOf(levels, depth, false)?.result.rows ?? []) {
      rowHeaders.push({ key: rowFields.map((f, i) => (i < depth ? (r[f] ?? null) : null)), depth });
    }
  }

  // Lookups per depth: the total over all columns by row key, and each cell by row key + column key.
  const totals = new Map<number, Map<string, Row>>();
  const cells = new Map<number, Map<string, Row>>();
  for (let depth = 0; depth <= width; depth++) {
    const prefix = rowFields.slice(0, depth);
    const total = levelOf(levels, depth, false);
    totals.set(depth, new Map((total?.result.rows ?? []).map((r) => [keyId(pick(r, prefix)), r])));
    const byColumn = hasColumns ? levelOf(levels, depth, true) : undefined;
    cells.set(depth, new Map((byColumn?.result.rows ?? []).map((r) => [keyId([...pick(r, prefix), ...pick(r, columnFields)]), r])));
  }

  const rows: PivotRow[] = headerOrder(rowHeaders, width).map((i) => {
    const { key, depth } = rowHeaders[i]!;
    const prefix = key.slice(0, depth);
    const total = totals.get(depth)!.get(keyId(prefix));
    const atColumn = columnKeys.map((c) => cells.get(depth)!.get(keyId([...prefix, ...c])));
    return {
      kind: depth === width ? 'detail' : depth === 0 ? 'total' : 'subtotal',
      key,
      depth,
      cells: measures.map((m) => [...atColumn.map((row) => cellValue(row, m.name)), cellValue(total, m.name)]),
    };
  });

  if (shape.shares.length > 0) addShares(rows, measures.map((m) => m.agg), shape.shares);
  return {
    rowFields: columnsNamed(levels, rowFields),
    columnFields: columnsNamed(levels, columnFields),
    measures: columnsNamed(levels, measures.map((m) => m.name)),
    columnKeys,
    rows,
    sql_ms: levels.reduce((sum, l) => sum + l.result.sql_ms, 0),
  };
}

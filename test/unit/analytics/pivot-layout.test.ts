import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutPivot, type PivotLevel, type PivotShape } from '../../../lib/analytics/pivot-layout.ts';
import { pivotFieldPath } from '../../../lib/analytics/pivot-check.ts';
import { pivotLevels } from '../../../lib/analytics/pivot.ts';
import { canRollUp, rollUp } from '../../../lib/analytics/pivot-rollup.ts';
import type { Column, QueryResult, Row, Value } from '../../../lib/analytics/types.ts';

// Hand-made detail records; each level's "database answer" is grouped from them here, and every
// expected cell is recomputed straight from the records (not from other levels).
interface Rec { region: string | null; segment: string | null; month: string; revenue: number; price: number }
const records: Rec[] = [
  { region: '华东', segment: 'retail', month: '2025-02-01', revenue: 10, price: 1 },
  { region: '华东', segment: 'retail', month: '2025-01-01', revenue: 20, price: 3 },
  { region: '华东', segment: 'wholesale', month: '2025-01-01', revenue: 5, price: 10 },
  { region: '华东', segment: null, month: '2025-02-01', revenue: 7, price: 2 },
  { region: '华北', segment: 'retail', month: '2025-02-01', revenue: 1, price: 4 },
  { region: '华北', segment: 'retail', month: '2025-02-01', revenue: 2, price: 8 },
  { region: null, segment: 'wholesale', month: '2025-01-01', revenue: 100, price: 50 },
];

const sum = (rs: Rec[]) => (rs.length ? rs.reduce((a, r) => a + r.revenue, 0) : null);
const avg = (rs: Rec[]) => (rs.length ? rs.reduce((a, r) => a + r.price, 0) / rs.length : null);
const measures = [
  { name: 'sum_revenue', agg: 'sum' as const, of: sum },
  { name: 'avg_price', agg: 'avg' as const, of: avg },
];

function answer(dimensions: (keyof Rec)[]): QueryResult {
  const groups = new Map<string, Rec[]>();
  for (const r of records) {
    const id = JSON.stringify(dimensions.map((d) => r[d]));
    groups.set(id, [...(groups.get(id) ?? []), r]);
  }
  // The database answers in no particular order: reversed, so the layout has to sort.
  const rows: Row[] = [...groups.values()].reverse().map((rs) => ({
    ...Object.fromEntries(dimensions.map((d) => [d, rs[0]![d]])),
    sum_revenue: sum(rs),
    avg_price: avg(rs),
  }));
  if (dimensions.length === 0 && rows.length === 0) rows.push({ sum_revenue: null, avg_price: null });
  const columns: Column[] = [
    ...dimensions.map((d): Column => ({ name: d, type: d === 'month' ? 'date' : 'string', role: 'dimension' })),
    { name: 'sum_revenue', type: 'money', role: 'measure' },
    { name: 'avg_price', type: 'money', role: 'measure' },
  ];
  return { columns, rows, truncated: false, sql_ms: 1 };
}

function levelsFor(shape: PivotShape): PivotLevel[] {
  return pivotLevels({ source: 'orders', rows: [...shape.rows], columns: [...shape.columns], measures: [], filters: [] }).map((l) => ({
    ...l,
    result: answer([...shape.rows.slice(0, l.depth), ...(l.byColumns ? shape.columns : [])] as (keyof Rec)[]),
  }));
}

const matching = (fields: readonly string[], values: readonly Value[]) => (r: Rec) => fields.every((f, i) => r[f as keyof Rec] === values[i]);

describe('layoutPivot', () => {
  const shape: PivotShape = { rows: ['region', 'segment'], columns: ['month'], measures, shares: ['row', 'column', 'total'] };
  const pivot = layoutPivot(shape, levelsFor(shape));

  test('column keys ascending; rows ascending with nulls last, each group followed by its subtotal, the grand total last', () => {
    assert.deepEqual(pivot.columnKeys, [['2025-01-01'], ['2025-02-01']]);
    assert.deepEqual(
      pivot.rows.map((r) => [r.kind, r.depth, ...r.key]),
      [
        ['detail', 2, '华东', 'retail'],
        ['detail', 2, '华东', 'wholesale'],
        ['detail', 2, '华东', null],
        ['subtotal', 1, '华东', null],
        ['detail', 2, '华北', 'retail'],
        ['subtotal', 1, '华北', null],
        ['detail', 2, null, 'wholesale'],
        ['subtotal', 1, null, null],
        ['total', 0, null, null],
      ],
    );
    // '华东' < '华北' by code point (U+4E1C < U+5317): plain ascending order, as the database's C collation.
    assert.ok('华东' < '华北');
  });

  test('every cell, subtotal and total is the aggregate of exactly its records (avg totals are not averages of cells)', () => {
    for (const row of pivot.rows) {
      const inRow = records.filter(matching(shape.rows.slice(0, row.depth), row.key.slice(0, row.depth)));
      measures.forEach((m, i) => {
        const expected = [...pivot.columnKeys.map((c) => m.of(inRow.filter(matching(shape.columns, c)))), m.of(inRow)];
        assert.deepEqual(row.cells[i], expected, `${m.name} of ${row.kind} ${JSON.stringify(row.key)}`);
      });
    }
    const total = pivot.rows.at(-1)!;
    assert.equal(total.cells[1]![2], (1 + 3 + 10 + 2 + 4 + 8 + 50) / 7);
  });

  test('shares of row, column and total for the sum; null for the average', () => {
    const total = pivot.rows.at(-1)!.cells[0]!;
    for (const row of pivot.rows) {
      const cells = row.cells[0]!;
      const share = (part: number | null, whole: number | null) => (part === null || !whole ? null : part / whole);
      assert.deepEqual(row.shares!.row![0], cells.map((v) => share(v, cells[2]!)));
      assert.deepEqual(row.shares!.column![0], cells.map((v, c) => share(v, total[c]!)));
      assert.deepEqual(row.shares!.total![0], cells.map((v) => share(v, total[2]!)));
      for (const kind of ['row', 'column', 'total'] as const) assert.deepEqual(row.shares![kind]![1], [null, null, null]);
    }
    assert.equal(pivot.rows.at(-1)!.shares!.total![0]![2], 1);
  });

  test('headers and types come from the answers; sql_ms adds up the levels', () => {
    assert.deepEqual(pivot.rowFields.map((c) => c.name), ['region', 'segment']);
    assert.deepEqual(pivot.columnFields, [{ name: 'month', type: 'date', role: 'dimension' }]);
    assert.deepEqual(pivot.measures.map((c) => c.name), ['sum_revenue', 'avg_price']);
    assert.equal(pivot.sql_ms, 6);
  });

  test('without column fields: only the total column; without shares: none', () => {
    const flat: PivotShape = { rows: ['segment'], columns: [], measures, shares: [] };
    const p = layoutPivot(flat, levelsFor(flat));
    assert.deepEqual(p.columnKeys, []);
    assert.deepEqual(p.rows.map((r) => r.key[0]), ['retail', 'wholesale', null, null]);
    assert.deepEqual(p.rows.map((r) => r.cells[0]), [[33], [105], [7], [145]]);
    assert.ok(p.rows.every((r) => r.shares === undefined));
  });

  test('an empty answer is a grand total of nulls', () => {
    const levels = levelsFor(shape).map((l) => ({ ...l, result: { ...l.result, rows: l.depth === 0 && !l.byColumns ? [{ sum_revenue: null, avg_price: null }] : [] } }));
    const p = layoutPivot(shape, levels);
    assert.deepEqual(p.columnKeys, []);
    assert.deepEqual(p.rows, [{ kind: 'total', key: [null, null], depth: 0, cells: [[null], [null]], shares: { row: [[null], [null]], column: [[null], [null]], total: [[null], [null]] } }]);
  });
});

describe('rolling sums and counts up from the finest level', () => {
  const additive: PivotShape = { rows: ['region', 'segment'], columns: ['month'], measures: [measures[0]!], shares: ['total'] };

  test('only when every measure is a sum or a count', () => {
    assert.equal(canRollUp(additive), true);
    assert.equal(canRollUp({ ...additive, measures }), false);
  });

  test('gives the same pivot as asking the database at every level', () => {
    const direct = levelsFor(additive);
    const finest = direct.find((l) => l.depth === 2 && l.byColumns)!;
    const rolled = direct.map((l) => (l === finest ? l : rollUp(additive, finest, l.depth, l.byColumns)));
    assert.deepEqual({ ...layoutPivot(additive, rolled), sql_ms: 0 }, { ...layoutPivot(additive, direct), sql_ms: 0 });
  });

  test('money adds up in cents (0.1 + 0.2 is 0.3); a sum of nulls is null; nothing at all is a null sum and a 0 count', () => {
    const shape: PivotShape = { rows: ['region'], columns: [], measures: [{ name: 'revenue', agg: 'sum' }, { name: 'n', agg: 'count' }, { name: 'q', agg: 'sum' }], shares: [] };
    const columns: Column[] = [
      { name: 'region', type: 'string', role: 'dimension' },
      { name: 'revenue', type: 'money', role: 'measure' },
      { name: 'n', type: 'integer', role: 'measure' },
      { name: 'q', type: 'integer', role: 'measure' },
    ];
    const rows: Row[] = [
      { region: 'a', revenue: 0.1, n: 1, q: null },
      { region: 'b', revenue: 0.2, n: 2, q: null },
      { region: null, revenue: 0, n: 3, q: null },
    ];
    const finest: PivotLevel = { depth: 1, byColumns: false, result: { columns, rows, truncated: false, sql_ms: 1 } };
    assert.deepEqual(rollUp(shape, finest, 0, false).result.rows, [{ revenue: 0.3, n: 6, q: null }]);
    const nothing: PivotLevel = { ...finest, result: { ...finest.result, rows: [] } };
    assert.deepEqual(rollUp(shape, nothing, 0, false).result.rows, [{ revenue: null, n: 0, q: null }]);
  });
});

describe('pivot field paths', () => {
  test('the combined query’s dimensions.N name the pivot’s rows.N or columns.M', () => {
    assert.equal(pivotFieldPath('dimensions.0', 2), 'rows.0');
    assert.equal(pivotFieldPath('dimensions.1', 2), 'rows.1');
    assert.equal(pivotFieldPath('dimensions.3', 2), 'columns.1');
    assert.equal(pivotFieldPath('dimensions', 2), 'rows');
    assert.equal(pivotFieldPath('measures.0.agg', 2), 'measures.0.agg');
    assert.equal(pivotFieldPath('filters.1.value', 2), 'filters.1.value');
  });
});

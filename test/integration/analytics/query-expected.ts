/**
 * What a query should answer, recomputed in JS from the raw orders (query-fixtures.ts):
 * groups by the dimensions, each aggregation by its definition. Money is summed in
 * integer cents, so sums and averages are compared exactly; percentiles interpolate
 * in double precision on both sides and may differ in the last cent.
 */
import assert from 'node:assert/strict';
import type { Measure, QueryResult, Value } from '../../../lib/analytics/types.ts';
import { dimensionOf, moneyOf, percentileCont, roundDiv, type RawOrder } from './query-fixtures.ts';

type Raw = bigint | number | string;

function valuesOf(orders: RawOrder[], field: string): Raw[] {
  return orders.map((o) => o[field as keyof RawOrder] as Raw | null).filter((v): v is Raw => v !== null);
}

/** One measure over one group, as the engine should print it. */
export function aggregate(orders: RawOrder[], measure: Measure): Value {
  const values = valuesOf(orders, measure.field);
  const money = measure.field === 'revenue' || measure.field === 'unit_price';
  const time = measure.field === 'ordered_at';
  const asNumber = (v: Raw) => (typeof v === 'bigint' ? Number(v) / 100 : Number(v));
  const print = (v: Raw): Value => (typeof v === 'bigint' ? moneyOf(v) : time ? new Date(v as number).toISOString() : v);
  switch (measure.agg) {
    case 'count':
      return values.length;
    case 'count_distinct':
      return new Set(values).size;
    case 'sum':
      if (values.length === 0) return null;
      return money ? moneyOf((values as bigint[]).reduce((a, b) => a + b, 0n)) : (values as number[]).reduce((a, b) => a + b, 0);
    case 'avg':
      if (values.length === 0) return null;
      if (money) return moneyOf(roundDiv((values as bigint[]).reduce((a, b) => a + b, 0n), BigInt(values.length)));
      return (values as number[]).reduce((a, b) => a + b, 0) / values.length;
    case 'min':
    case 'max': {
      if (values.length === 0) return null;
      const pick = values.reduce((a, b) => ((measure.agg === 'min' ? b < a : b > a) ? b : a));
      return print(pick);
    }
    default: {
      const p = Number(measure.agg.slice(1)) / 100;
      return percentileCont(values.map(asNumber), p);
    }
  }
}

/** The groups the query should find: key (JSON of the dimension values) → row. */
export function expectedGroups(orders: RawOrder[], dimensions: string[], measures: Measure[]): Map<string, Record<string, Value>> {
  const groups = new Map<string, RawOrder[]>();
  for (const order of orders) {
    const key = JSON.stringify(dimensions.map((d) => dimensionOf(order, d)));
    groups.set(key, [...(groups.get(key) ?? []), order]);
  }
  if (dimensions.length === 0 && groups.size === 0) groups.set('[]', []);
  const result = new Map<string, Record<string, Value>>();
  for (const [key, members] of groups) {
    const row: Record<string, Value> = {};
    (JSON.parse(key) as Value[]).forEach((v, i) => (row[dimensions[i]!] = v));
    for (const m of measures) row[m.as ?? `${m.agg}_${m.field}`] = aggregate(members, m);
    result.set(key, row);
  }
  return result;
}

/** How close an engine value must be to the recomputed one: exact, except interpolated percentiles and averages of integers. */
function tolerance(measure: Measure): number {
  const money = measure.field === 'revenue' || measure.field === 'unit_price';
  if (/^p\d+$/.test(measure.agg)) return money ? 0.0100001 : 1e-6;
  if (measure.agg === 'avg' && !money) return 1e-6;
  return 0;
}

/** Asserts the answer has exactly the expected groups and values. */
export function assertAnswer(result: QueryResult, orders: RawOrder[], dimensions: string[], measures: Measure[], label: string): void {
  const expected = expectedGroups(orders, dimensions, measures);
  assert.equal(result.truncated, false, label);
  assert.equal(result.rows.length, expected.size, `${label}: groups`);
  for (const row of result.rows) {
    const key = JSON.stringify(dimensions.map((d) => row[d]));
    const want = expected.get(key);
    assert.ok(want, `${label}: unexpected group ${key}`);
    for (const m of measures) {
      const name = m.as ?? `${m.agg}_${m.field}`;
      const got: Value = row[name] ?? null;
      const exp: Value = want[name] ?? null;
      const tol = tolerance(m);
      if (tol === 0 || got === null || exp === null) assert.deepEqual(got, exp, `${label}: ${name} of ${key}`);
      else assert.ok(Math.abs((got as number) - (exp as number)) <= tol, `${label}: ${name} of ${key}: ${String(got)} vs ${String(exp)}`);
    }
  }
}

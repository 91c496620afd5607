import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileQuery, compileRows } from '../../../lib/analytics/compile.ts';
import { AnalyticsInputError } from '../../../lib/analytics/errors.ts';
import type { AnalyticsQuery, Filter } from '../../../lib/analytics/types.ts';

const base: AnalyticsQuery = { source: 'orders', dimensions: ['region'], measures: [{ field: 'revenue', agg: 'sum' }], filters: [], sort: [], limit: 100 };
const q = (changes: Partial<AnalyticsQuery>): AnalyticsQuery => ({ ...base, ...changes });
const withFilter = (filter: Filter) => q({ filters: [{ field: 'status', op: 'eq', value: 'paid' }, filter] });

/** Compiling refuses with a 400 naming exactly `field`. */
function refuses(query: AnalyticsQuery, field: string, message?: RegExp) {
  assert.throws(
    () => compileQuery(query, 'UTC'),
    (error: unknown) => {
      assert.ok(error instanceof AnalyticsInputError, String(error));
      assert.equal(error.field, field, error.message);
      if (message) assert.match(error.message, message);
      return true;
    },
  );
}

describe('compile: names come from the catalog', () => {
  test('unknown source, dimension, measure field, filter field and sort field are named', () => {
    refuses(q({ source: 'invoices' }), 'source');
    refuses(q({ source: '__proto__' }), 'source');
    refuses(q({ dimensions: ['region', 'planet'] }), 'dimensions.1');
    refuses(q({ measures: [{ field: 'revenue', agg: 'sum' }, { field: 'profit', agg: 'sum' }] }), 'measures.1.field');
    refuses(withFilter({ field: 'colour', op: 'eq', value: 'red' }), 'filters.1.field');
    refuses(q({ sort: [{ field: 'region', dir: 'asc' }, { field: 'revenue', dir: 'desc' }] }), 'sort.1.field');
  });

  test('a field that is not a dimension, grains on a dataset without time, and an aggregation its type does not take', () => {
    refuses(q({ dimensions: ['id'] }), 'dimensions.0', /cannot be grouped/);
    refuses(q({ source: 'products', dimensions: ['month'], measures: [{ field: 'unit_price', agg: 'avg' }] }), 'dimensions.0');
    refuses(q({ measures: [{ field: 'status', agg: 'sum' }] }), 'measures.0.agg', /count, count_distinct, min, max/);
    refuses(q({ measures: [{ field: 'ordered_at', agg: 'p50' }] }), 'measures.0.agg');
    refuses(q({ measures: [{ field: 'revenue', agg: 'median' as never }] }), 'measures.0.agg');
  });

  test('result column names are unique', () => {
    refuses(q({ measures: [{ field: 'revenue', agg: 'sum' }, { field: 'revenue', agg: 'sum' }] }), 'measures.1');
    refuses(q({ measures: [{ field: 'revenue', agg: 'sum', as: 'region' }] }), 'measures.0.as');
    refuses(q({ dimensions: ['region', 'region'] }), 'dimensions.1');
    refuses(q({ measures: [{ field: 'revenue', agg: 'sum', as: 'x"; drop table orders; --' }] }), 'measures.0.as');
  });

  test('too many dimensions, a limit out of range', () => {
    refuses(q({ dimensions: ['region', 'segment', 'customer', 'category', 'product', 'sku', 'status'] }), 'dimensions');
    refuses(q({ limit: 0 }), 'limit');
    refuses(q({ limit: 50_001 }), 'limit');
  });
});

describe('compile: filters fit their field', () => {
  test('operators by type', () => {
    refuses(withFilter({ field: 'revenue', op: 'contains', value: '1' }), 'filters.1.op');
    refuses(withFilter({ field: 'region', op: 'gt', value: 'a' }), 'filters.1.op');
    refuses(withFilter({ field: 'region', op: 'between', value: ['a', 'b'] }), 'filters.1.op');
    refuses(withFilter({ field: 'region', op: 'like' as never, value: 'a' }), 'filters.1.op');
  });

  test('value types and shapes', () => {
    refuses(withFilter({ field: 'revenue', op: 'gt', value: '100' }), 'filters.1.value');
    refuses(withFilter({ field: 'region', op: 'eq', value: 3 }), 'filters.1.value');
    refuses(withFilter({ field: 'region', op: 'in', value: 'east' }), 'filters.1.value');
    refuses(withFilter({ field: 'region', op: 'eq', value: ['east'] }), 'filters.1.value');
    refuses(withFilter({ field: 'region', op: 'in', value: ['east', 4] }), 'filters.1.value.1');
    refuses(withFilter({ field: 'region', op: 'in', value: Array.from({ length: 1001 }, (_, i) => `r${i}`) }), 'filters.1.value');
    refuses(withFilter({ field: 'quantity', op: 'between', value: [1] }), 'filters.1.value');
    refuses(withFilter({ field: 'quantity', op: 'between', value: [5, 1] }), 'filters.1.value');
    refuses(withFilter({ field: 'quantity', op: 'gt', value: null }), 'filters.1.value');
    refuses(withFilter({ field: 'weekday', op: 'eq', value: 8 }), 'filters.1.value');
  });

  test('time values: real dates, sane years, ordered bounds', () => {
    refuses(withFilter({ field: 'ordered_at', op: 'gte', value: '2025-02-30' }), 'filters.1.value', /calendar/);
    refuses(withFilter({ field: 'ordered_at', op: 'gte', value: 'yesterday' }), 'filters.1.value');
    refuses(withFilter({ field: 'ordered_at', op: 'gte', value: '1850-01-01' }), 'filters.1.value', /year/);
    refuses(withFilter({ field: 'ordered_at', op: 'between', value: ['2025-01-01', '9999-12-31'] }), 'filters.1.value.1');
    refuses(withFilter({ field: 'ordered_at', op: 'between', value: ['2025-12-31', '2025-01-01'] }), 'filters.1.value', /lower/);
    refuses(withFilter({ field: 'ordered_at', op: 'lt', value: '2025-01-01T25:00:00Z' }), 'filters.1.value');
    refuses(withFilter({ field: 'month', op: 'eq', value: '2025-13-01' }), 'filters.1.value');
  });
});

describe('compile: input only ever becomes a parameter', () => {
  const hostile = `'; drop table orders; --`;

  test('values are bound, never in the SQL text', () => {
    const compiled = compileQuery(
      q({
        filters: [
          { field: 'region', op: 'eq', value: hostile },
          { field: 'customer', op: 'contains', value: hostile },
          { field: 'status', op: 'in', value: [hostile, 'paid'] },
        ],
        measures: [{ field: 'revenue', agg: 'sum', as: 'drop_table_orders' }],
      }),
      'Asia/Shanghai',
    );
    assert.ok(!compiled.sql.includes('drop'), compiled.sql);
    assert.ok(compiled.params.includes(hostile));
    assert.ok(compiled.params.includes(`%'; drop table orders; --%`));
    assert.deepEqual(compiled.columns.map((c) => c.name), ['region', 'drop_table_orders']);
  });

  test('contains escapes LIKE wildcards; the time zone is one parameter', () => {
    const compiled = compileQuery(q({ dimensions: ['month', 'weekday'], filters: [{ field: 'customer', op: 'contains', value: '50%_\\' }] }), 'Asia/Shanghai');
    assert.ok(compiled.params.includes('%50\\%\\_\\\\%'));
    assert.equal(compiled.params.filter((p) => p === 'Asia/Shanghai').length, 1);
  });

  test('empty in matches nothing, empty not_in everything; ne keeps NULLs', () => {
    assert.match(compileQuery(withFilter({ field: 'region', op: 'in', value: [] }), 'UTC').sql, /\(false\)/);
    assert.match(compileQuery(withFilter({ field: 'region', op: 'not_in', value: [] }), 'UTC').sql, /\(true\)/);
    assert.match(compileQuery(withFilter({ field: 'region', op: 'ne', value: 'x' }), 'UTC').sql, /is distinct from/);
    assert.match(compileQuery(withFilter({ field: 'region', op: 'eq', value: null }), 'UTC').sql, /c\.region is null/);
  });

  test('a default sort by the dimensions; the limit fetches one more row', () => {
    const compiled = compileQuery(q({ dimensions: ['region', 'month'], sort: [{ field: 'sum_revenue', dir: 'desc' }] }), 'UTC');
    assert.match(compiled.sql, /order by g\.m0 desc nulls last, g\.d0 asc nulls last, g\.d1 asc nulls last limit \$\d+$/);
    assert.equal(compiled.params.at(-1), 101);
    assert.equal(compiled.limit, 100);
  });

  test('rows: fields and the page are checked', () => {
    assert.throws(() => compileRows({ source: 'orders', filters: [], fields: ['id', 'nope'], limit: 10 }, 'UTC'), { field: 'fields.1' });
    assert.throws(() => compileRows({ source: 'orders', filters: [], limit: 501 }, 'UTC'), { field: 'limit' });
    const rows = compileRows({ source: 'orders', filters: [], limit: 10, after: hostile }, 'UTC');
    assert.ok(!rows.sql.includes('drop') && rows.params.includes(hostile));
  });
});

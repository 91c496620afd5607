import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PivotRequest, PivotResult } from '../../../lib/analytics/types.ts';
import { loadGeneratedErp } from '../../../lib/erp/generate-load.ts';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.ts';
import { assertPivot, expectedPivot, TZ } from './pivot-expected.ts';

// The API over the real platform (PGlite: the SQL itself is checked on both engines in pivot.test.ts).
const pivotRequest: PivotRequest = {
  source: 'orders',
  rows: ['region', 'category'],
  columns: ['quarter'],
  measures: [
    { field: 'revenue', agg: 'sum', as: 'revenue' },
    { field: 'id', agg: 'count', as: 'orders' },
    { field: 'customer_id', agg: 'count_distinct', as: 'customers' },
  ],
  filters: [{ field: 'status', op: 'eq', value: 'paid' }],
  shares: ['row', 'column', 'total'],
};

describe('pivot and drill-down API', () => {
  let t: TestPlatform;
  const post = async (path: string, body: unknown, contentType = 'application/json') => {
    const response = await fetch(`${t.api.url}/v1/analytics/${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, any> };
  };

  before(async () => {
    t = await startTestPlatform('pglite', { withWorker: false, env: { ANALYTICS_TIME_ZONE: TZ } });
    await loadGeneratedErp(t.platform.db, { orders: 3_000, seed: 'pivot-api', days: 400 });
  });
  after(async () => t?.close());

  test('POST /v1/analytics/pivot: every cell, subtotal, total and share as the test’s SQL has them; the same again from the cache', async () => {
    const first = await post('pivot', pivotRequest);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assertPivot(pivotRequest, first.body as PivotResult, await expectedPivot(t.platform.db, pivotRequest, `o.status = 'paid'`));
    // Asked again: the cached answer, sql_ms included. A share kind named twice is the same question.
    assert.deepEqual((await post('pivot', pivotRequest)).body, first.body);
    const once = await post('pivot', { ...pivotRequest, shares: ['row'] });
    assert.deepEqual((await post('pivot', { ...pivotRequest, shares: ['row', 'row'] })).body, once.body);
  });

  test('bad input is a 400 naming the pivot’s field; too many cells a 422 naming the limit', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...pivotRequest, rows: ['region', 'nope'] }, 'rows.1'],
      [{ ...pivotRequest, columns: ['revenue'] }, 'columns.0'],
      [{ ...pivotRequest, rows: [] }, 'rows'],
      [{ ...pivotRequest, rows: ["region'; drop table orders; --"] }, 'rows.0'],
      [{ ...pivotRequest, shares: ['half'] }, 'shares.0'],
      [{ ...pivotRequest, extra: 1 }, '(body)'],
    ];
    for (const [body, field] of cases) {
      const { status, type, body: problem } = await post('pivot', body);
      assert.equal(status, 400, JSON.stringify(problem));
      assert.match(type!, /application\/problem\+json/);
      assert.ok(problem.errors.some((e: { field: string }) => e.field === field), `${field}: ${JSON.stringify(problem.errors)}`);
    }
    const tooMany = await post('pivot', { ...pivotRequest, rows: ['customer', 'day'], columns: ['product'], shares: [] });
    assert.equal(tooMany.status, 422, JSON.stringify(tooMany.body));
    assert.equal(tooMany.body.limit, 'cells');
    assert.equal((await post('pivot', 'rows=region', 'application/x-www-form-urlencoded')).status, 415);
    assert.equal((await post('drill', { source: 'orders', cell: { quarter: '2025-02-01' } })).body.errors[0].field, 'cell.quarter');
  });

  test('POST /v1/analytics/drill: the pages of a cell hold its orders once each, as many as it counts', async () => {
    const pivot = (await post('pivot', pivotRequest)).body as PivotResult;
    const row = pivot.rows.find((r) => r.kind === 'subtotal')!;
    const c = pivot.columnKeys.findIndex((k) => k[0] === '2025-04-01');
    const cell = { region: row.key[0], quarter: '2025-04-01' };
    const ids: string[] = [];
    let after: string | undefined;
    do {
      const page = await post('drill', { source: 'orders', filters: pivotRequest.filters, cell, fields: ['id', 'region', 'status'], limit: 40, ...(after ? { after } : {}) });
      assert.equal(page.status, 200, JSON.stringify(page.body));
      assert.deepEqual(page.body.columns.map((col: { name: string }) => col.name), ['id', 'region', 'status']);
      for (const r of page.body.rows) assert.deepEqual([r.region, r.status], [cell.region, 'paid']);
      ids.push(...page.body.rows.map((r: { id: string }) => r.id));
      after = page.body.next ?? undefined;
    } while (after);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(ids.length, row.cells[1]![c]);
    assert.ok(ids.length > 40, 'more than one page');
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SearchFieldError } from '../../../lib/search/errors.ts';
import type { EngineHit } from '../../../lib/search/port.ts';
import { meaningText } from '../../../lib/search/service.ts';
import { reciprocalRankFusion } from '../../../lib/search/service/fusion.ts';
import { checkRequest, isoInstant } from '../../../lib/search/service/request.ts';

const fieldError = (field: string) => (e: unknown) => e instanceof SearchFieldError && e.field === field;

describe('a search request is checked against the index catalog', () => {
  test('filters are typed by their field: terms, date and money ranges', () => {
    const checked = checkRequest('orders', {
      filters: { status: ['paid', 'refunded'], region: '华东', ordered_at: { gte: '2025-01-01', lt: '2025-04-01T08:00:00+08:00' }, amount: { gte: '1000.50' }, quantity: 3 },
    });
    assert.deepEqual(checked.filters, [
      { field: 'status', kind: 'terms', values: ['paid', 'refunded'] },
      { field: 'region', kind: 'terms', values: ['华东'] },
      { field: 'ordered_at', kind: 'range', gte: '2025-01-01T00:00:00.000Z', lt: '2025-04-01T00:00:00.000Z' },
      { field: 'amount', kind: 'range', gte: 1000.5 },
      { field: 'quantity', kind: 'terms', values: [3] },
    ]);
    assert.equal(checked.mode, 'lexical');
    assert.equal(checked.limit, 10);
  });

  test('fields the index lacks, or cannot use so, are named', () => {
    assert.throws(() => checkRequest('orders', { filters: { password: 'x' } }), fieldError('password'));
    assert.throws(() => checkRequest('orders', { filters: JSON.parse('{"__proto__":"x"}') }), fieldError('__proto__'));
    assert.throws(() => checkRequest('orders', { filters: { customer_name: 'x' } }), fieldError('customer_name'));
    assert.throws(() => checkRequest('orders', { filters: { status: { gte: 'a' } } }), fieldError('status'));
    assert.throws(() => checkRequest('orders', { filters: { amount: { gte: 1, near: 2 } as never } }), fieldError('amount'));
    assert.throws(() => checkRequest('orders', { filters: { amount: {} } }), fieldError('amount'));
    assert.throws(() => checkRequest('orders', { filters: { status: [] } }), fieldError('status'));
    assert.throws(() => checkRequest('orders', { facets: ['customer_id'] }), fieldError('customer_id'));
    assert.throws(() => checkRequest('orders', { sort: ['customer_name'] }), fieldError('customer_name'));
    assert.throws(() => checkRequest('orders', { sort: ['amount', '-amount'] }), fieldError('amount'));
    assert.throws(() => checkRequest('orders', { sort: ['-amount:asc'] }), fieldError('sort'));
    assert.throws(() => checkRequest('customers', { mode: 'hybrid' }), fieldError('mode'));
    assert.throws(() => checkRequest('documents', { mode: 'semantic', sort: ['created_at'] }), fieldError('sort'));
    for (const limit of [0, -1, 101, 2.5, Number.NaN]) assert.throws(() => checkRequest('documents', { limit }), fieldError('limit'));
  });

  test('values of the wrong type are refused, whatever the field', () => {
    assert.throws(() => checkRequest('orders', { filters: { ordered_at: { gte: '2025-02-30' } } }), fieldError('ordered_at'));
    assert.throws(() => checkRequest('orders', { filters: { ordered_at: { gte: 20250101 } } }), fieldError('ordered_at'));
    assert.throws(() => checkRequest('orders', { filters: { quantity: 1.5 } }), fieldError('quantity'));
    assert.throws(() => checkRequest('orders', { filters: { quantity: '1; drop table orders' } }), fieldError('quantity'));
    assert.throws(() => checkRequest('orders', { filters: { amount: 1e300 } }), fieldError('amount'));
    assert.throws(() => checkRequest('orders', { filters: { status: 'a\u0000' } }), fieldError('status'));
    assert.throws(() => checkRequest('orders', { filters: { status: 'x'.repeat(201) } }), fieldError('status'));
  });

  test('facets: terms on keywords, stats on numbers, histograms by interval name', () => {
    assert.deepEqual(checkRequest('orders', { facets: ['status', 'amount', 'month'] }).facets, [
      { name: 'status', kind: 'terms', field: 'status', size: 20 },
      { name: 'amount', kind: 'stats', field: 'amount' },
      { name: 'month', kind: 'histogram', field: 'ordered_at', interval: 'month' },
    ]);
    assert.throws(() => checkRequest('orders', { facets: ['status', 'status'] }), fieldError('status'));
  });

  test('sort forms, and the fingerprint follows what orders the results', () => {
    assert.deepEqual(checkRequest('orders', { sort: ['-amount', 'ordered_at:desc', 'id'] }).sort, [
      { field: 'amount', dir: 'desc' },
      { field: 'ordered_at', dir: 'desc' },
      { field: 'id', dir: 'asc' },
    ]);
    const a = checkRequest('documents', { query: '报销', limit: 5 }).fingerprint;
    assert.equal(checkRequest('documents', { query: ' 报销 ', limit: 20, facets: ['tags'] }).fingerprint, a, 'page size and facets do not change the order');
    assert.notEqual(checkRequest('documents', { query: '报销', mode: 'lexical' }).fingerprint, a);
    assert.notEqual(checkRequest('documents', { query: '报销', filters: { tags: '财务' } }).fingerprint, a);
  });

  test('isoInstant reads dates and date-times as UTC instants, and refuses impossible ones', () => {
    assert.equal(isoInstant('2025-01-31'), '2025-01-31T00:00:00.000Z');
    assert.equal(isoInstant('2025-01-31T08:00:00+08:00'), '2025-01-31T00:00:00.000Z');
    assert.equal(isoInstant('2025-01-31T08:00'), '2025-01-31T08:00:00.000Z');
    for (const bad of ['2025-13-01', '2025-02-29', '2025-01-31T24:00', 'yesterday', '0000-01-01', '']) assert.equal(isoInstant(bad), null, bad);
    assert.equal(isoInstant('2024-02-29'), '2024-02-29T00:00:00.000Z');
  });
});

const hit = (id: string, score = 0.5): EngineHit => ({ id, score, fields: {}, snippets: [] });

describe('hybrid ranking', () => {
  test('reciprocal rank fusion: agreement wins, ties by id, a floor keeps far vector-only hits out', () => {
    const fused = reciprocalRankFusion([hit('a'), hit('b'), hit('c')], [hit('c', 0.9), hit('d', 0.8), hit('a', 0.7), hit('e', 0.1)], { semanticFloor: 0.5 });
    // a and c agree (ranks 1+3 and 3+1); b and d tie at rank 2 of one list, so by id.
    assert.deepEqual(fused.map((f) => f.hit.id), ['a', 'c', 'b', 'd']);
    assert.deepEqual(fused.map((f) => f.lexical), [true, true, true, false]);
    assert.ok(Math.abs(fused[0]!.score - (1 / 61 + 1 / 63)) < 1e-12);
    const tie = reciprocalRankFusion([hit('y')], [hit('x')]);
    assert.deepEqual(tie.map((f) => f.hit.id), ['x', 'y']);
  });

  test('what is embedded: the words searched as text, not negated ones nor keyword values', () => {
    const node = {
      kind: 'and' as const,
      children: [
        { kind: 'text' as const, text: '笔记本', position: 0 },
        { kind: 'phrase' as const, field: 'product_name', text: '联想 电脑', position: 8 },
        { kind: 'text' as const, field: 'status', text: 'paid', position: 20 },
        { kind: 'not' as const, child: { kind: 'text' as const, text: 'mouse', position: 30 } },
      ],
    };
    assert.equal(meaningText(node, 'orders'), '笔记本 联想 电脑');
    assert.equal(meaningText(null, 'documents'), '');
  });
});

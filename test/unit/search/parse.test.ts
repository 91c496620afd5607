import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery, type QueryNode } from '../../../lib/search/query/parse.ts';
import { QuerySyntaxError, SearchFieldError } from '../../../lib/search/errors.ts';
import { SEARCH_LIMITS } from '../../../lib/search/indexes.ts';

/** The tree without positions, as compact text: words bare, phrases quoted, `f:` for fields. */
function show(node: QueryNode | null): string {
  if (!node) return '∅';
  switch (node.kind) {
    case 'text':
      return (node.field ? `${node.field}:` : '') + node.text;
    case 'phrase':
      return (node.field ? `${node.field}:` : '') + JSON.stringify(node.text);
    case 'not':
      return `NOT(${show(node.child)})`;
    default:
      return `${node.kind.toUpperCase()}(${node.children.map(show).join(' ')})`;
  }
}

const docs = (q: string) => show(parseQuery(q, 'documents'));
const orders = (q: string) => show(parseQuery(q, 'orders'));

function syntaxError(q: string, position: number): void {
  assert.throws(
    () => parseQuery(q, 'documents'),
    (e: unknown) => e instanceof QuerySyntaxError && e.code === 'E_QUERY_SYNTAX' && e.position === position,
    `${JSON.stringify(q)} fails at ${position}`,
  );
}

describe('parseQuery', () => {
  test('words are joined by OR; AND binds tighter than OR; NOT tighter than AND', () => {
    assert.equal(docs('报销 差旅'), 'OR(报销 差旅)');
    assert.equal(docs('a b AND c'), 'OR(a AND(b c))');
    assert.equal(docs('a AND b OR c AND d'), 'OR(AND(a b) AND(c d))');
    assert.equal(docs('a AND NOT b'), 'AND(a NOT(b))');
    assert.equal(docs('NOT a AND b'), 'AND(NOT(a) b)');
    assert.equal(docs('a && b || c'), 'OR(AND(a b) c)');
  });

  test('parentheses group and nest', () => {
    assert.equal(docs('(a OR b) AND c'), 'AND(OR(a b) c)');
    assert.equal(docs('a AND (b OR (c AND d))'), 'AND(a OR(b AND(c d)))');
    assert.equal(docs('((a))'), 'a');
  });

  test('-term and NOT negate; a negation inside an OR applies to the whole OR', () => {
    assert.equal(docs('报销 -差旅'), 'AND(报销 NOT(差旅))');
    assert.equal(docs('a b -c'), 'AND(OR(a b) NOT(c))');
    assert.equal(docs('a OR NOT b'), 'AND(a NOT(b))');
    assert.equal(docs('-"年度 预算"'), 'NOT("年度 预算")');
    assert.equal(docs('-(a b)'), 'NOT(OR(a b))');
    assert.equal(docs('NOT NOT a'), 'a');
    // Alone, a negation means "everything except".
    assert.equal(docs('-a'), 'NOT(a)');
    assert.equal(docs('-a -b'), 'AND(NOT(a) NOT(b))');
  });

  test('a hyphen inside a word is part of it', () => {
    assert.equal(docs('e-mail 2025-01-01'), 'OR(e-mail 2025-01-01)');
  });

  test('phrases, with straight or Chinese quotes; an unclosed quote runs to the end', () => {
    assert.equal(docs('"差旅 报销" 流程'), 'OR("差旅 报销" 流程)');
    assert.equal(docs('“年度预算”'), '"年度预算"');
    assert.equal(docs('"data retention'), '"data retention"');
    assert.equal(docs('a ""'), 'a');
    assert.equal(docs('"'), '∅');
  });

  test('field:value, field:"phrase" and field:(group), fields case-insensitive', () => {
    assert.equal(docs('title:报销'), 'title:报销');
    assert.equal(docs('Title:"差旅 报销"'), 'title:"差旅 报销"');
    assert.equal(orders('status:(paid OR refunded) AND region:华东'), 'AND(OR(status:paid status:refunded) region:华东)');
    assert.equal(orders('-status:cancelled'), 'NOT(status:cancelled)');
    assert.equal(orders('quantity:3 amount:12.50 ordered_at:2025-01-31'), 'OR(quantity:3 amount:12.50 ordered_at:2025-01-31)');
  });

  test('positions point at the value in the query', () => {
    const node = parseQuery('  title:"差旅 报销" OR reimbursment', 'documents');
    assert.ok(node?.kind === 'or');
    assert.deepEqual(
      node.children.map((c) => (c.kind === 'text' || c.kind === 'phrase' ? c.position : -1)),
      [9, 19],
    );
  });

  test('an unknown field, or a field that cannot be searched that way, is a SearchFieldError naming it', () => {
    assert.throws(() => parseQuery('status:paid', 'documents'), (e: unknown) => e instanceof SearchFieldError && e.field === 'status');
    assert.throws(() => parseQuery('password:x', 'customers'), (e: unknown) => e instanceof SearchFieldError && e.field === 'password');
    assert.throws(() => parseQuery('quantity:many', 'orders'), (e: unknown) => e instanceof SearchFieldError && e.field === 'quantity');
    assert.throws(() => parseQuery('amount:1e9', 'orders'), SearchFieldError);
    assert.throws(() => parseQuery('ordered_at:2025-13-45', 'orders'), SearchFieldError);
    assert.throws(() => parseQuery('__proto__:x', 'orders'), SearchFieldError);
    // Not field syntax at all: a time, a word with a colon inside.
    assert.equal(docs('12:30'), '12:30');
  });

  test('syntax errors carry the 0-based position of the problem', () => {
    syntaxError('(a OR b', 0);
    syntaxError('a OR (b AND (c)', 5);
    syntaxError('a OR b)', 6);
    syntaxError('title: 报销', 6);
    syntaxError('title:(content:x)', 7);
    syntaxError('('.repeat(SEARCH_LIMITS.maxNesting + 1) + 'a' + ')'.repeat(SEARCH_LIMITS.maxNesting + 1), SEARCH_LIMITS.maxNesting);
  });

  test('limits: length and number of terms', () => {
    syntaxError('a'.repeat(SEARCH_LIMITS.maxQueryLength + 1), SEARCH_LIMITS.maxQueryLength);
    assert.doesNotThrow(() => parseQuery('a'.repeat(SEARCH_LIMITS.maxQueryLength), 'documents'));
    const terms = Array.from({ length: SEARCH_LIMITS.maxClauses + 1 }, (_, i) => `w${i}`);
    syntaxError(terms.join(' '), terms.slice(0, -1).join(' ').length + 1);
    assert.doesNotThrow(() => parseQuery(terms.slice(1).join(' '), 'documents'));
  });

  test('lone operators are ignored, or searched as words when they are all there is', () => {
    assert.equal(docs('a OR'), 'a');
    assert.equal(docs('AND a'), 'a');
    assert.equal(docs('a AND OR b'), 'OR(a b)');
    assert.equal(docs('a NOT'), 'a');
    assert.equal(docs('a -'), 'a');
    assert.equal(docs('NOT'), 'NOT');
    assert.equal(docs('AND OR'), 'OR(AND OR)');
    // Lower case is not an operator.
    assert.equal(docs('salt and pepper'), 'OR(salt and pepper)');
  });

  test('empty and blank queries have nothing to search', () => {
    assert.equal(parseQuery('', 'documents'), null);
    assert.equal(parseQuery(' \t\n　', 'documents'), null);
    assert.equal(parseQuery('()', 'documents'), null);
  });

  test('NUL, control and format characters and lone surrogates are blanked, not searched', () => {
    assert.equal(docs('报\u0000销'), 'OR(报 销)');
    assert.equal(docs('a\u200bb\ufeff'), 'OR(a b)');
    assert.equal(docs('x\ud800y'), 'OR(x y)');
    assert.equal(docs('\u0000\u0001\u001f'), '∅');
    // A real pair stays.
    assert.equal(docs('𠮷野家'), '𠮷野家');
  });

  test('SQL and query-DSL fragments are only text', () => {
    // `--` negates nothing, so it goes.
    assert.equal(docs("'; drop table documents; --"), "OR('; drop table documents;)");
    assert.equal(docs('{"match_all":{}}'), 'OR({ "match_all" :{}})');
  });
});

/**
 * The search API end to end: documents ingested through the real platform (model,
 * Temporal, PGlite), ERP rows inserted in PostgreSQL, both made searchable by the
 * index sync, then searched over HTTP with API keys on. Covers the "done"
 * queries (a wrong Chinese character, an English typo, a boolean query, a
 * range-filtered faceted orders query, all highlighted), paging, suggestions,
 * clicks and analytics, tenancy, and hostile input.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createApiKey } from '../../../lib/identity/api-keys.ts';
import { pruneLog } from '../../../lib/search/analytics.ts';
import { startTestPlatform, type Engine, type TestPlatform } from '../../helpers/platform.ts';
import { searchClient, seedSearchData, type Json } from './api-fixtures.ts';

/**
 * The embedded default on PGlite and on PostgreSQL always; Elasticsearch too when the run has one
 * (scripts/services.sh up elasticsearch). SEARCH_API_TEST_ENGINE picks one of them by name.
 */
const CASES: { name: string; database: Engine; env: Record<string, string> }[] = [
  { name: 'pglite', database: 'pglite', env: {} },
  { name: 'postgres', database: 'postgres', env: {} },
  ...(process.env.ELASTICSEARCH_URL
    ? [{ name: 'elasticsearch', database: 'pglite' as Engine, env: { SEARCH_ENGINE: 'elasticsearch', ELASTICSEARCH_URL: process.env.ELASTICSEARCH_URL, SEARCH_INDEX_PREFIX: `test-api-${randomUUID().slice(0, 8)}` } }]
    : []),
];
const only = process.env.SEARCH_API_TEST_ENGINE;

for (const { name, database, env: engineEnv } of CASES.filter((c) => !only || c.name === only)) describe(`the search API (${name})`, () => {
  let t: TestPlatform;
  let key: string;
  let otherKey: string;
  let ids: Map<string, string>;

  const { get, post, ok } = searchClient(() => t.api.url, () => key);

  before(async () => {
    t = await startTestPlatform(database, { env: { AUTH: 'on', ...engineEnv } });
    key = t.api.createdOperatorKey!;
    const { db } = t.platform;
    otherKey = (await createApiKey(db, { tenant: 'acme', name: 'acme search', scopes: ['search', 'documents:read'] })).key;
    ids = await seedSearchData(t, key);
  });

  after(async () => {
    await t?.close();
    // The shared Elasticsearch keeps no index of this run (deleted by name: wildcard deletes are refused).
    const prefix = engineEnv.SEARCH_INDEX_PREFIX;
    if (prefix) {
      const names = (await (await fetch(`${engineEnv.ELASTICSEARCH_URL}/_cat/indices/${prefix}-*?h=index`)).text()).split('\n').filter(Boolean);
      for (const index of names) await fetch(`${engineEnv.ELASTICSEARCH_URL}/${index}`, { method: 'DELETE' });
    }
  });

  test('a Chinese query with a wrong character of the same sound finds the document, highlighted', async () => {
    // 报消 for 报销 (both bào xiāo).
    const answer = ok(await get('/v1/search/documents', { q: '报消', mode: 'lexical' }));
    assert.equal(answer.hits[0]?.documentId, ids.get('差旅报销制度'), JSON.stringify(answer));
    assert.ok(answer.hits[0].highlights.some((h: string) => h.includes('<em>报销</em>')), JSON.stringify(answer.hits[0]));
    assert.equal(answer.hits[0].title, '差旅报销制度');
    assert.equal(answer.hits[0].knowledgeBase, 'default');
    assert.equal(typeof answer.total, 'number');
    assert.match(answer.queryId, /^[0-9a-f-]{36}$/);
  });

  test('an English typo finds the document, highlighted; few matches bring a "did you mean"', async () => {
    const answer = ok(await get('/v1/search/documents', { q: 'reimbursment', mode: 'lexical' }));
    assert.equal(answer.hits[0]?.documentId, ids.get('Travel expense policy'), JSON.stringify(answer));
    assert.ok(answer.hits[0].highlights.some((h: string) => /<em>reimbursement<\/em>/i.test(h)), JSON.stringify(answer.hits[0]));
    assert.equal(answer.didYouMean, 'reimbursement');
  });

  test('a boolean query: OR across languages, NOT excludes, phrases are adjacent words', async () => {
    const either = ok(await post('/v1/search/documents', { query: '(密码 OR password) -rotated', mode: 'lexical' }));
    assert.deepEqual(either.hits.map((h: Json) => h.documentId), [ids.get('信息安全规范')], JSON.stringify(either));
    assert.ok(either.hits[0].highlights.some((h: string) => h.includes('<em>密码</em>')));
    const both = ok(await post('/v1/search/documents', { query: 'passwords AND shared', mode: 'lexical' }));
    assert.deepEqual(both.hits.map((h: Json) => h.documentId), [ids.get('Password policy')]);
    const phrase = ok(await post('/v1/search/documents', { query: '"expense reports"', mode: 'lexical' }));
    assert.deepEqual(phrase.hits.map((h: Json) => h.documentId), [ids.get('Travel expense policy')]);
    assert.ok(phrase.hits[0].highlights.some((h: string) => /<em>expense(<\/em> <em>| )reports<\/em>/i.test(h)), JSON.stringify(phrase.hits[0]));
    const reversed = ok(await post('/v1/search/documents', { query: '"reports expense"', mode: 'lexical' }));
    assert.equal(reversed.total, 0);
  });

  test('a range-filtered, faceted orders query: hits with highlights, terms, histogram and stats', async () => {
    const answer = ok(
      await post('/v1/search/orders', {
        query: '笔记本',
        filters: { ordered_at: { gte: '2025-01-01', lt: '2025-04-01' }, amount: { gte: 1000 } },
        facets: ['status', 'month', 'amount'],
        sort: ['amount:desc', 'id'],
      }),
    );
    assert.deepEqual(answer.hits.map((h: Json) => h.id), ['O1', 'O2', 'O6']);
    assert.equal(answer.total, 3);
    assert.equal(answer.hits[0].amount, 11998);
    assert.equal(answer.hits[0].customer_name, '华东精密机械有限公司');
    assert.equal(answer.hits[0].ordered_at, '2025-01-15T10:00:00.000Z');
    assert.ok(answer.hits.every((h: Json) => h.highlights.some((x: string) => x.includes('<em>笔记'))), JSON.stringify(answer.hits));
    assert.deepEqual(answer.facets.status, [
      { value: 'cancelled', count: 1 },
      { value: 'paid', count: 1 },
      { value: 'refunded', count: 1 },
    ]);
    assert.deepEqual(answer.facets.month, [
      { value: '2025-01-01', count: 1 },
      { value: '2025-02-01', count: 1 },
      { value: '2025-03-01', count: 1 },
    ]);
    assert.deepEqual(answer.stats.amount, { count: 3, min: 5999, max: 11998, avg: 7998.67, sum: 23996 });
    // The same as GET: filters as JSON, facets and sort comma-separated; terms filters narrow further.
    const narrowed = ok(
      await get('/v1/search/orders', {
        q: '笔记本',
        filters: JSON.stringify({ ordered_at: { gte: '2025-01-01', lt: '2025-04-01' }, status: ['paid', 'refunded'] }),
        facets: 'region',
        sort: '-amount,id',
      }),
    );
    assert.deepEqual(narrowed.hits.map((h: Json) => h.id), ['O1', 'O2']);
    // Equal counts order by value, in the engine's collation: compared as a set here.
    const regions = (narrowed.facets.region as Json[]).map((b) => `${b.value}:${b.count}`).sort();
    assert.deepEqual(regions, ['华东:1', '海外:1'].sort());
  });

  test('customers by name, and a filter-only search', async () => {
    const byName = ok(await get('/v1/search/customers', { q: 'northwind' }));
    assert.deepEqual(byName.hits.map((h: Json) => h.id), ['C2']);
    assert.ok(byName.hits[0].highlights.some((h: string) => h.includes('<em>Northwind</em>')));
    const filtered = ok(await post('/v1/search/customers', { filters: { region: ['华东', '华南'] }, sort: ['id'] }));
    assert.deepEqual(filtered.hits.map((h: Json) => h.id), ['C1', 'C3']);
  });

  test('paging: relevance pages by signed cursors bound to their search; field sorts page after the last hit', async () => {
    const first = ok(await get('/v1/search/orders', { q: '笔记本 OR 打印机', limit: 2, sort: 'ordered_at' }));
    assert.equal(first.hits.length, 2);
    assert.ok(first.nextCursor);
    const second = ok(await get('/v1/search/orders', { q: '笔记本 OR 打印机', limit: 2, sort: 'ordered_at', cursor: first.nextCursor }));
    const third = ok(await get('/v1/search/orders', { q: '笔记本 OR 打印机', limit: 2, sort: 'ordered_at', cursor: second.nextCursor }));
    assert.deepEqual([...first.hits, ...second.hits, ...third.hits].map((h: Json) => h.id), ['O1', 'O2', 'O4', 'O6', 'O5']);
    assert.equal(third.nextCursor, null);
    const relevance = ok(await get('/v1/search/documents', { q: '员工', mode: 'lexical', limit: 1 }));
    assert.ok(relevance.total >= 3 && relevance.nextCursor);
    const next = ok(await get('/v1/search/documents', { q: '员工', mode: 'lexical', limit: 1, cursor: relevance.nextCursor }));
    assert.notEqual(next.hits[0].documentId, relevance.hits[0].documentId);
    const foreign = await get('/v1/search/documents', { q: 'password', mode: 'lexical', limit: 1, cursor: relevance.nextCursor });
    assert.equal(foreign.status, 400);
    assert.ok(foreign.body.errors.some((e: Json) => e.field === 'cursor'));
    const forged = await get('/v1/search/documents', { q: '员工', cursor: `${relevance.nextCursor.slice(0, -2)}AA` });
    assert.equal(forged.status, 400);
  });

  test('hybrid (the default for documents) and semantic find a document by meaning', async () => {
    const hybrid = ok(await get('/v1/search/documents', { q: 'getting my money back after a business trip' }));
    assert.equal(hybrid.mode, 'hybrid');
    assert.ok(
      [ids.get('Travel expense policy'), ids.get('差旅报销制度')].includes(hybrid.hits[0]?.documentId),
      JSON.stringify(hybrid.hits.map((h: Json) => h.title)),
    );
    const semantic = ok(await get('/v1/search/documents', { q: '出差回来怎么报账', mode: 'semantic' }));
    assert.equal(semantic.mode, 'semantic');
    assert.ok([ids.get('Travel expense policy'), ids.get('差旅报销制度')].includes(semantic.hits[0]?.documentId));
    const refused = await get('/v1/search/orders', { q: '笔记本', mode: 'semantic' });
    assert.equal(refused.status, 400);
    assert.ok(refused.body.errors.some((e: Json) => e.field === 'mode'));
  });

  test('suggestions: titles and names by prefix, and popular queries', async () => {
    const titles = ok(await get('/v1/search/suggest', { q: '差旅' }));
    assert.ok(titles.suggestions.some((s: Json) => s.text === '差旅报销制度' && s.kind === 'title'), JSON.stringify(titles));
    const names = ok(await get('/v1/search/suggest', { q: '华', index: 'customers' }));
    assert.deepEqual(
      names.suggestions.filter((s: Json) => s.kind === 'name').map((s: Json) => s.text),
      ['华东精密机械有限公司', '华南电子科技'],
    );
    for (let i = 0; i < 2; i += 1) ok(await get('/v1/search/documents', { q: 'travel allowance', mode: 'lexical' }));
    const popular = ok(await get('/v1/search/suggest', { q: 'trav' }));
    assert.ok(popular.suggestions.some((s: Json) => s.text === 'travel allowance' && s.kind === 'query'), JSON.stringify(popular));
  });

  test('clicks and analytics: hot queries, zero-result queries', async () => {
    const answer = ok(await get('/v1/search/documents', { q: 'password', mode: 'lexical' }));
    const click = await post('/v1/search/clicks', { queryId: answer.queryId, documentId: answer.hits[0].documentId });
    assert.equal(click.status, 204);
    const unknown = await post('/v1/search/clicks', { queryId: '00000000-0000-4000-8000-000000000000', documentId: 'x' });
    assert.equal(unknown.status, 404);
    // Another tenant cannot click this tenant's search.
    assert.equal((await post('/v1/search/clicks', { queryId: answer.queryId, documentId: 'x' }, otherKey)).status, 404);
    for (let i = 0; i < 3; i += 1) ok(await get('/v1/search/documents', { q: 'zzyzx quokka', mode: 'lexical' }));
    const hot = ok(await get('/v1/search/analytics/hot', { window: '24h' }));
    const quokka = hot.items.find((i: Json) => i.query === 'zzyzx quokka');
    assert.deepEqual({ searches: quokka?.searches, zeroResults: quokka?.zeroResults }, { searches: 3, zeroResults: 3 });
    assert.ok(hot.items.find((i: Json) => i.query === 'password')?.clicks >= 1);
    const zero = ok(await get('/v1/search/analytics/zero-results', { window: '7d' }));
    assert.equal(zero.items[0]?.query, 'zzyzx quokka');
    assert.ok(!zero.items.some((i: Json) => i.query === 'password'));
    // Analytics are for administrators: a search-only key is refused.
    assert.equal((await get('/v1/search/analytics/hot', {}, otherKey)).status, 403);
  });

  test('the query log keeps SEARCH_LOG_RETENTION_DAYS: older searches are pruned, and leave the analytics', async () => {
    const { db } = t.platform;
    await db.query(
      `insert into search_log (id, tenant, index_name, query, hits, took_ms, created_at) values
       ('old-1', 'default', 'documents', 'ancient query', 0, 1, now() - interval '91 days'),
       ('old-2', 'default', 'documents', 'ancient query', 0, 1, now() - interval '89 days')`,
    );
    const logged = ok(await get('/v1/search/analytics/zero-results', { window: '100d' }));
    assert.equal(logged.items.find((i: Json) => i.query === 'ancient query')?.searches, 2);
    const kept = Number((await db.query<{ n: string }>('select count(*) as n from search_log')).rows[0]!.n);
    assert.equal(await pruneLog(db, 90), 1);
    assert.equal(Number((await db.query<{ n: string }>('select count(*) as n from search_log')).rows[0]!.n), kept - 1);
    const pruned = ok(await get('/v1/search/analytics/zero-results', { window: '100d' }));
    assert.equal(pruned.items.find((i: Json) => i.query === 'ancient query')?.searches, 1);
    // The 24-hour window never saw them.
    assert.ok(!ok(await get('/v1/search/analytics/zero-results', { window: '24h' })).items.some((i: Json) => i.query === 'ancient query'));
  });

  test('tenancy: another tenant sees none of these documents, and no ERP index at all', async () => {
    const documents = ok(await get('/v1/search/documents', { q: '报销 OR password', mode: 'lexical' }, otherKey));
    assert.equal(documents.total, 0);
    const hybrid = ok(await get('/v1/search/documents', { q: 'travel expenses' }, otherKey));
    assert.equal(hybrid.hits.length, 0);
    for (const index of ['customers', 'orders']) {
      const refused = await get(`/v1/search/${index}`, { q: '笔记本' }, otherKey);
      assert.equal(refused.status, 404);
      assert.equal(refused.body.code, 'E_SEARCH_INDEX_NOT_FOUND');
      assert.equal((await get('/v1/search/suggest', { q: '华', index }, otherKey)).status, 404);
    }
    assert.equal((await get('/v1/search/nonsense', { q: 'x' })).status, 404);
  });

  describe('hostile input gets a 4xx problem or ordinary results, never a 500', () => {
    const problem = (r: { status: number; body: Json }, status: number, field?: string) => {
      assert.equal(r.status, status, JSON.stringify(r.body));
      if (field) assert.ok(r.body.errors?.some((e: Json) => e.field === field), `expected ${field} in ${JSON.stringify(r.body)}`);
      return r.body;
    };

    test('SQL and query-DSL fragments are searched as text', async () => {
      for (const q of ["'; drop table orders; --", '{"match_all":{}}', "1' OR '1'='1", '*', '<script>alert(1)</script>']) {
        const answer = ok(await get('/v1/search/orders', { q }));
        assert.equal(answer.total, 0, q);
      }
      const filtered = ok(await post('/v1/search/orders', { filters: { region: "' OR 1=1 --", status: ['paid" OR "1"="1'] } }));
      assert.equal(filtered.total, 0);
      const orders = ok(await post('/v1/search/orders', { filters: { status: ['paid'] } }));
      assert.equal(orders.total, 4, 'the orders table is still there');
      const dsl = problem(await post('/v1/search/orders', { filters: { status: { $ne: 'x' } } }), 400);
      assert.equal(dsl.code, 'E_VALIDATION');
      // Highlights escape the document's own text: what is not an <em> is never markup.
      const escaped = ok(await get('/v1/search/documents', { q: '<em>password</em>', mode: 'lexical' }));
      for (const h of escaped.hits.flatMap((x: Json) => x.highlights)) assert.doesNotMatch(h.replaceAll(/<\/?em>/g, ''), /[<>]/);
    });

    test('unknown fields, and fields used as they cannot be, are named', async () => {
      assert.equal(problem(await post('/v1/search/orders', { filters: { password: 'x' } }), 400, 'password').code, 'E_SEARCH_FIELD');
      problem(await post('/v1/search/orders', { facets: ['customer_name'] }), 400, 'customer_name');
      problem(await post('/v1/search/orders', { sort: ['customer_name'] }), 400, 'customer_name');
      problem(await post('/v1/search/orders', { filters: { status: { gte: 'a' } } }), 400, 'status');
      problem(await post('/v1/search/orders', { filters: { ordered_at: { gte: '2025-02-30' } } }), 400, 'ordered_at');
      problem(await get('/v1/search/orders', { q: 'secret:1' }), 400, 'secret');
      problem(await post('/v1/search/orders', { nonsense: 1 }), 400);
    });

    test('a syntax error is E_QUERY_SYNTAX with its position', async () => {
      const get400 = problem(await get('/v1/search/documents', { q: '(报销 OR travel' }), 400, 'q');
      assert.equal(get400.code, 'E_QUERY_SYNTAX');
      assert.equal(get400.position, 0);
      const post400 = problem(await post('/v1/search/documents', { query: 'a OR b)' }), 400, 'query');
      assert.equal(post400.position, 6);
    });

    test('NUL, a 1 MB query, wrong types and out-of-range limits', async () => {
      problem(await get('/v1/search/documents', { q: '报\u0000销' }), 400, 'q');
      problem(await post('/v1/search/documents', { query: 'a\u0000' }), 400, 'query');
      const huge = 'x'.repeat(1024 * 1024);
      assert.equal((await post('/v1/search/documents', { query: huge })).status, 413);
      const longGet = await fetch(`${t.api.url}/v1/search/documents?q=${huge}`, { headers: { authorization: `Bearer ${key}` } });
      assert.ok(longGet.status >= 400 && longGet.status < 500, `a 1 MB URL answered ${longGet.status}`);
      problem(await get('/v1/search/documents', { q: 'y'.repeat(501) }), 400, 'q');
      for (const limit of ['-1', '0', '101', '1e9', 'abc', '2.5']) problem(await get('/v1/search/documents', { q: 'a', limit }), 400, 'limit');
      problem(await post('/v1/search/documents', { query: 'a', limit: '10' }), 400, 'limit');
      problem(await post('/v1/search/documents', { query: ['a'] }), 400, 'query');
      problem(await post('/v1/search/documents', { query: 'a', filters: ['tags'] }), 400, 'filters');
      problem(await post('/v1/search/orders', { filters: { quantity: { gte: 'many' } } }), 400, 'quantity');
      problem(await post('/v1/search/orders', { filters: { amount: 1e300 } }), 400, 'amount');
      problem(await get('/v1/search/orders', { filters: '{not json' }), 400, 'filters');
      problem(await get('/v1/search/orders', { facets: 'status,status' }), 400, 'status');
      problem(await get('/v1/search/suggest', { q: '' }), 400, 'q');
      problem(await get('/v1/search/analytics/hot', { window: '-1h' }), 400, 'window');
      problem(await post('/v1/search/clicks', { queryId: 'not-a-uuid', documentId: 'x' }), 400, 'queryId');
      // The platform still answers.
      ok(await get('/v1/search/documents', { q: 'password', mode: 'lexical' }));
    });
  });
});

describe('an unreachable search engine', () => {
  let t: TestPlatform;
  before(async () => {
    // Elasticsearch at a port nothing listens on: a real refused connection, not a stub.
    t = await startTestPlatform('pglite', { withWorker: false, env: { SEARCH_ENGINE: 'elasticsearch', ELASTICSEARCH_URL: 'http://127.0.0.1:9', SEARCH_TIMEOUT_MS: '1000' } });
  });
  after(async () => {
    await t?.close();
  });

  test('answers 503 E_SEARCH_UNAVAILABLE with Retry-After', async () => {
    const response = await fetch(`${t.api.url}/v1/search/documents?q=${encodeURIComponent('报销')}&mode=lexical`);
    assert.equal(response.status, 503);
    assert.ok(Number(response.headers.get('retry-after')) > 0);
    const body = (await response.json()) as Json;
    assert.equal(body.code, 'E_SEARCH_UNAVAILABLE');
  });
});

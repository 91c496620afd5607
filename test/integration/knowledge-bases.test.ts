import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Connection } from '@temporalio/client';
import { createAuthenticator } from '../../api/middleware/auth.ts';
import { createDocumentReads } from '../../api/services/document-reads.ts';
import { createCache } from '../../lib/cache/index.ts';
import { createQueryEmbeddings } from '../../lib/search/query-embeddings.ts';
import { createApp } from '../../api/app.ts';
import { postJson } from '../helpers/multipart.ts';
import { startTestPlatform, upload, waitForDocument, type TestPlatform } from '../helpers/platform.ts';

/** Knowledge bases through the real API, worker and model. */
describe('knowledge bases', () => {
  let t: TestPlatform;
  const run = randomUUID();
  const get = async (path: string) => {
    const response = await fetch(`${t.api.url}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  before(async () => {
    t = await startTestPlatform('pglite');
  });
  after(async () => {
    await t?.close();
  });

  test('create, read, list in pages, update; unknown is a 404 problem, duplicate a 409', async () => {
    const created = await postJson(t.api.url, '/v1/knowledge-bases', { id: 'finance', name: '财务', description: '报销与预算', defaultLanguage: 'zh' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.headers.get('location'), '/v1/knowledge-bases/finance');
    assert.deepEqual(
      { ...created.body, createdAt: undefined, updatedAt: undefined },
      { id: 'finance', name: '财务', description: '报销与预算', defaultLanguage: 'zh', status: 'active', documentCount: 0, createdAt: undefined, updatedAt: undefined },
    );
    const generated = await postJson(t.api.url, '/v1/knowledge-bases', { name: 'IT Support' });
    assert.equal(generated.status, 201);
    assert.match(generated.body.id, /^it-support-[0-9a-f]{6}$/);

    const duplicate = await postJson(t.api.url, '/v1/knowledge-bases', { id: 'finance', name: 'again' });
    assert.deepEqual([duplicate.status, duplicate.body.code], [409, 'E_KNOWLEDGE_BASE_EXISTS']);
    const invalid = await postJson(t.api.url, '/v1/knowledge-bases', { id: 'Bad Id', name: 'x', owner: 'me' });
    assert.equal(invalid.status, 400);
    assert.deepEqual(invalid.body.errors.map((e: { field: string }) => e.field).sort(), ['(body)', 'id']);
    const missing = await get('/v1/knowledge-bases/nope');
    assert.deepEqual([missing.status, missing.body.code], [404, 'E_KNOWLEDGE_BASE_NOT_FOUND']);

    const patched = await postJson(t.api.url, '/v1/knowledge-bases/finance', { description: null, defaultLanguage: 'zh-CN' }, 'PATCH');
    assert.deepEqual([patched.status, patched.body.name, patched.body.description, patched.body.defaultLanguage], [200, '财务', null, 'zh-CN']);
    const emptyPatch = await postJson(t.api.url, '/v1/knowledge-bases/finance', {}, 'PATCH');
    assert.equal(emptyPatch.status, 400);
    const patchMissing = await postJson(t.api.url, '/v1/knowledge-bases/nope', { name: 'x' }, 'PATCH');
    assert.equal(patchMissing.status, 404);

    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Record<string, any> } = await get(`/v1/knowledge-bases?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...page.body.items.map((kb: { id: string }) => kb.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(ids, ['default', 'finance', generated.body.id].sort());
    assert.equal((await get('/v1/knowledge-bases?cursor=garbage')).status, 400);
  });

  test('the same bytes in two knowledge bases are two documents; list and search filter by knowledge base', async () => {
    await postJson(t.api.url, '/v1/knowledge-bases', { id: 'hr', name: '人事' });
    const text = `# 年假制度\n\n员工入职满一年后享有五天带薪年假，满十年享有十天。${run}`;
    const inDefault = await upload(t.api.url, text, 'leave.md');
    const inHr = await upload(t.api.url, text, 'leave.md', { knowledgeBase: 'hr' });
    const viaJson = await postJson(t.api.url, '/v1/documents', {
      filename: 'leave.md',
      knowledgeBase: 'finance',
      contentBase64: Buffer.from(text).toString('base64'),
    });
    assert.deepEqual([inDefault.status, inHr.status, viaJson.status], [202, 202, 202]);
    assert.equal(new Set([inDefault.body.id, inHr.body.id, viaJson.body.id]).size, 3);
    const again = await upload(t.api.url, text, 'copy.md', { knowledgeBase: 'hr' });
    assert.deepEqual([again.status, again.body.id], [200, inHr.body.id]);
    for (const id of [inDefault.body.id, inHr.body.id, viaJson.body.id]) assert.equal((await waitForDocument(t.api.url, id)).status, 'ready');

    assert.equal((await get(`/v1/documents/${inHr.body.id}`)).body.knowledgeBase, 'hr');
    const listed = await get('/v1/documents?knowledgeBase=hr');
    assert.deepEqual(listed.body.items.map((d: { id: string }) => d.id), [inHr.body.id]);
    assert.equal((await get('/v1/knowledge-bases/hr')).body.documentCount, 1);
    assert.equal((await get('/v1/documents?knowledgeBase=nope')).status, 404);

    const q = encodeURIComponent('入职满一年有几天年假');
    const all = await get(`/v1/search/semantic?q=${q}&k=10`);
    const allIds = new Set(all.body.results.map((r: { documentId: string }) => r.documentId));
    assert.ok(allIds.has(inDefault.body.id) && allIds.has(inHr.body.id), JSON.stringify(all.body));
    const hrOnly = await get(`/v1/search/semantic?q=${q}&k=10&knowledgeBase=hr`);
    assert.ok(hrOnly.body.results.length >= 1);
    assert.ok(hrOnly.body.results.every((r: { documentId: string; knowledgeBase: string }) => r.documentId === inHr.body.id && r.knowledgeBase === 'hr'));
    const unknown = await get(`/v1/search/semantic?q=${q}&knowledgeBase=nope`);
    assert.deepEqual([unknown.status, unknown.body.code], [404, 'E_KNOWLEDGE_BASE_NOT_FOUND']);
  });

  test('DELETE runs the workflow that removes the knowledge base with its documents', async () => {
    await postJson(t.api.url, '/v1/knowledge-bases', { id: 'temp', name: 'Temporary' });
    const doc = await upload(t.api.url, `# 临时\n\n这份文件会随知识库一起删除。${run}`, 'temp.md', { knowledgeBase: 'temp' });
    assert.equal((await waitForDocument(t.api.url, doc.body.id)).status, 'ready');
    const response = await fetch(`${t.api.url}/v1/knowledge-bases/temp`, { method: 'DELETE' });
    assert.equal(response.status, 202);
    const accepted = (await response.json()) as { id: string; workflowId: string; status: string };
    assert.deepEqual([accepted.id, accepted.status], ['temp', 'deleting']);
    const deadline = Date.now() + 60_000;
    while ((await get('/v1/knowledge-bases/temp')).status !== 404) {
      assert.ok(Date.now() < deadline, 'the knowledge base was not removed within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal((await get(`/v1/documents/${doc.body.id}`)).status, 404);
    const { rows } = await t.platform.db.query<{ n: number }>('select count(*) as n from chunks where document_id = $1', [doc.body.id]);
    assert.equal(rows[0]!.n, 0);
  });

  test('DELETE: default is refused, unknown is 404, otherwise marked deleting and handed to its workflow', async () => {
    // A second app on the same platform, with an orchestration that records what the API asks of it.
    const asked: string[] = [];
    const connection = await Connection.connect({ address: t.platform.config.TEMPORAL_ADDRESS });
    const app = createApp({
      platform: t.platform,
      authenticator: createAuthenticator({ db: t.platform.db, enabled: false }),
      documentReads: createDocumentReads({ db: t.platform.db, cache: createCache() }),
      queryEmbeddings: createQueryEmbeddings(createCache(), t.platform.embedder),
      ingestion: t.api.ingestion,
      temporal: connection,
      knowledgeBaseOrchestration: {
        async deleteKnowledgeBase(tenant, id) {
          asked.push(`${tenant}/${id}`);
          return { workflowId: `delete-kb-${tenant}-${id}` };
        },
      },
    });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await postJson(url, '/v1/knowledge-bases', { id: 'archive', name: 'Archive' });
      const del = (id: string) => fetch(`${url}/v1/knowledge-bases/${id}`, { method: 'DELETE' });
      const refused = await del('default');
      assert.deepEqual([refused.status, ((await refused.json()) as { code: string }).code], [409, 'E_DEFAULT_KNOWLEDGE_BASE']);
      assert.equal((await del('nope')).status, 404);

      const accepted = await del('archive');
      assert.equal(accepted.status, 202);
      assert.deepEqual(await accepted.json(), { id: 'archive', workflowId: 'delete-kb-default-archive', status: 'deleting' });
      assert.equal((await del('archive')).status, 202, 'a second DELETE joins the first');
      assert.deepEqual(asked, ['default/archive', 'default/archive']);

      const kb = await postJson(url, '/v1/knowledge-bases/archive', { name: 'renamed' }, 'PATCH');
      assert.deepEqual([kb.status, kb.body.code], [409, 'E_KNOWLEDGE_BASE_DELETING']);
      assert.equal((await get('/v1/knowledge-bases/archive')).body.status, 'deleting');
      const into = await upload(url, `late upload ${run}`, 'late.txt', { knowledgeBase: 'archive' });
      assert.deepEqual([into.status, into.body.code], [409, 'E_KNOWLEDGE_BASE_DELETING']);
      const intoJson = await postJson(url, '/v1/documents', { knowledgeBase: 'archive', contentBase64: Buffer.from('late').toString('base64') });
      assert.deepEqual([intoJson.status, intoJson.body.code], [409, 'E_KNOWLEDGE_BASE_DELETING']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await connection.close();
    }
  });
});

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../../lib/db/index.ts';
import { replaceChunks, storeEmbeddings } from '../../../lib/documents/chunk-repository.ts';
import { semanticSearch } from '../../../lib/search/semantic.ts';
import { documentIdFor } from '../../../lib/documents/ids.ts';
import {
  applyExtractedMetadata,
  documentIdsInKnowledgeBase,
  getDocument,
  insertDocumentIfNew,
  listDocuments,
  updateDocumentStage,
  type NewDocument,
} from '../../../lib/documents/repository.ts';
import {
  createKnowledgeBase,
  deleteKnowledgeBase,
  getKnowledgeBase,
  listKnowledgeBases,
  markKnowledgeBaseDeleting,
  updateKnowledgeBase,
} from '../../../lib/knowledge-bases/repository.ts';
import { engines, openTestDatabase } from '../../helpers/platform.ts';

/** Knowledge bases and document metadata: the same SQL on PGlite and PostgreSQL. */
for (const engine of engines) {
  describe(`knowledge bases and document metadata on ${engine}`, () => {
    let db: Database;
    let close = async () => {};
    const newDoc = (sha: string, fields: Partial<NewDocument> = {}): NewDocument => {
      const knowledgeBase = fields.knowledgeBase ?? 'default';
      const id = documentIdFor({ tenant: 'default', knowledgeBase, contentSha256: sha });
      return {
        id,
        contentSha256: sha,
        title: null,
        source: null,
        tags: [],
        filename: 'a.md',
        docType: 'md',
        sizeBytes: 5,
        blobKey: `documents/${id}`,
        workflowId: `doc-${id}`,
        ...fields,
      };
    };

    before(async () => {
      ({ db, close } = await openTestDatabase(engine));
    });
    after(async () => {
      await close();
    });

    test('the default knowledge base exists and cannot be deleted', async () => {
      const kb = await getKnowledgeBase(db, 'default', 'default');
      assert.equal(kb?.status, 'active');
      await assert.rejects(markKnowledgeBaseDeleting(db, 'default', 'default'), { code: 'E_DEFAULT_KNOWLEDGE_BASE' });
      await assert.rejects(deleteKnowledgeBase(db, 'default', 'default'), { code: 'E_DEFAULT_KNOWLEDGE_BASE' });
    });

    test('create, duplicate, update, list in pages', async () => {
      const hr = await createKnowledgeBase(db, 'default', { id: 'hr', name: '人事', description: 'HR', defaultLanguage: 'zh' });
      assert.deepEqual([hr.id, hr.name, hr.description, hr.defaultLanguage, hr.status, hr.documentCount], ['hr', '人事', 'HR', 'zh', 'active', 0]);
      await assert.rejects(createKnowledgeBase(db, 'default', { id: 'hr', name: 'again' }), { code: 'E_KNOWLEDGE_BASE_EXISTS' });
      const generated = await createKnowledgeBase(db, 'default', { name: 'Finance & Tax' });
      assert.match(generated.id, /^finance-tax-[0-9a-f]{6}$/);
      assert.match((await createKnowledgeBase(db, 'default', { name: '财务' })).id, /^kb-[0-9a-f]{6}$/);
      const updated = await updateKnowledgeBase(db, 'default', 'hr', { description: null, name: 'Human resources' });
      assert.deepEqual([updated?.name, updated?.description, updated?.defaultLanguage], ['Human resources', null, 'zh']);
      assert.equal(await updateKnowledgeBase(db, 'default', 'absent', { name: 'x' }), undefined);
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await listKnowledgeBases(db, 'default', { limit: 2, after });
        seen.push(...page.items.map((kb) => kb.id));
        if (!page.nextAfter) break;
        after = page.nextAfter;
      }
      assert.equal(seen.length, 4);
      assert.deepEqual(seen, [...seen].sort());
    });

    test('the same bytes in two knowledge bases are two documents; in one, one', async () => {
      await createKnowledgeBase(db, 'default', { id: 'it', name: 'IT' });
      const sha = '1'.repeat(64);
      const inDefault = await insertDocumentIfNew(db, newDoc(sha));
      const inIt = await insertDocumentIfNew(db, newDoc(sha, { knowledgeBase: 'it', lang: 'en', metadata: { owner: 'ops' } }));
      const again = await insertDocumentIfNew(db, newDoc(sha, { knowledgeBase: 'it' }));
      assert.equal(inDefault.created, true);
      assert.equal(inIt.created, true);
      assert.notEqual(inDefault.document.id, inIt.document.id);
      assert.deepEqual([again.created, again.document.id], [false, inIt.document.id]);
      assert.deepEqual([inIt.document.knowledgeBase, inIt.document.lang, inIt.document.metadata], ['it', 'en', { owner: 'ops' }]);
      assert.equal((await getKnowledgeBase(db, 'default', 'it'))?.documentCount, 1);
      assert.deepEqual(await documentIdsInKnowledgeBase(db, 'default', 'it', 10), [inIt.document.id]);
      const listed = await listDocuments(db, { limit: 10, knowledgeBase: 'it' });
      assert.deepEqual(listed.items.map((d) => d.id), [inIt.document.id]);
    });

    test('an unknown or deleting knowledge base takes no documents; delete waits for its documents', async () => {
      await assert.rejects(insertDocumentIfNew(db, newDoc('2'.repeat(64), { knowledgeBase: 'nope' })), { code: 'E_KNOWLEDGE_BASE_NOT_FOUND' });
      await createKnowledgeBase(db, 'default', { id: 'old', name: 'Old' });
      const doc = await insertDocumentIfNew(db, newDoc('3'.repeat(64), { knowledgeBase: 'old' }));
      assert.equal((await markKnowledgeBaseDeleting(db, 'default', 'old'))?.status, 'deleting');
      assert.equal((await markKnowledgeBaseDeleting(db, 'default', 'old'))?.status, 'deleting');
      await assert.rejects(insertDocumentIfNew(db, newDoc('4'.repeat(64), { knowledgeBase: 'old' })), { code: 'E_KNOWLEDGE_BASE_DELETING' });
      await assert.rejects(updateKnowledgeBase(db, 'default', 'old', { name: 'x' }), { code: 'E_KNOWLEDGE_BASE_DELETING' });
      await assert.rejects(deleteKnowledgeBase(db, 'default', 'old'), { code: 'E_KNOWLEDGE_BASE_NOT_EMPTY' });
      await db.query('delete from documents where id = $1', [doc.document.id]);
      assert.equal(await deleteKnowledgeBase(db, 'default', 'old'), true);
      assert.equal(await deleteKnowledgeBase(db, 'default', 'old'), false);
      assert.equal(await markKnowledgeBaseDeleting(db, 'default', 'old'), undefined);
    });

    test('extracted metadata fills only what the upload left unset, and again changes nothing', async () => {
      await createKnowledgeBase(db, 'default', { id: 'zh-docs', name: '中文', defaultLanguage: 'zh-CN' });
      const bare = (await insertDocumentIfNew(db, newDoc('5'.repeat(64), { knowledgeBase: 'zh-docs' }))).document;
      const given = (
        await insertDocumentIfNew(
          db,
          newDoc('6'.repeat(64), { title: '上传标题', tags: ['upload'], lang: 'en', metadata: { owner: 'upload', keep: 1 } }),
        )
      ).document;
      const found = { title: '差旅费用报销标准', tags: ['finance', 'travel'], lang: 'zh', metadata: { owner: 'front', date: '2024-01-01' } };
      for (const id of [bare.id, given.id, bare.id]) await applyExtractedMetadata(db, id, found);
      const a = (await getDocument(db, bare.id))!;
      assert.deepEqual([a.title, a.tags, a.lang, a.metadata], ['差旅费用报销标准', ['finance', 'travel'], 'zh', { owner: 'front', date: '2024-01-01' }]);
      const b = (await getDocument(db, given.id))!;
      assert.deepEqual([b.title, b.tags, b.lang, b.metadata], ['上传标题', ['upload'], 'en', { owner: 'upload', keep: 1, date: '2024-01-01' }]);
      // Nothing found: the knowledge base's default language applies, the rest stays.
      const plain = (await insertDocumentIfNew(db, newDoc('7'.repeat(64), { knowledgeBase: 'zh-docs' }))).document;
      await applyExtractedMetadata(db, plain.id, {});
      const c = (await getDocument(db, plain.id))!;
      assert.deepEqual([c.title, c.tags, c.lang, c.metadata], [null, [], 'zh-CN', {}]);
    });

    test('semantic search filters by knowledge base (an iterative index scan on both engines)', async () => {
      await createKnowledgeBase(db, 'default', { id: 'search-a', name: 'A' });
      await createKnowledgeBase(db, 'default', { id: 'search-b', name: 'B' });
      const ids: Record<string, string> = {};
      for (const [kb, sha, vector] of [
        ['search-a', '8'.repeat(64), [1, 0, 0, 0]],
        ['search-b', '9'.repeat(64), [0.9, 0.1, 0, 0]],
      ] as const) {
        const { document } = await insertDocumentIfNew(db, newDoc(sha, { knowledgeBase: kb }));
        await replaceChunks(db, document.id, [{ index: 0, text: `text of ${kb}`, tokenCount: 3, start: 0, end: 9, heading: null }]);
        await storeEmbeddings(db, document.id, [{ index: 0, vector: new Float32Array(vector) }]);
        await updateDocumentStage(db, document.id, { status: 'ready' });
        ids[kb] = document.id;
      }
      const query = new Float32Array([1, 0, 0, 0]);
      const all = await semanticSearch(db, query, 10);
      assert.deepEqual(all.map((h) => h.knowledgeBase), ['search-a', 'search-b']);
      const onlyB = await semanticSearch(db, query, 10, { knowledgeBase: 'search-b' });
      assert.deepEqual(onlyB.map((h) => [h.documentId, h.knowledgeBase]), [[ids['search-b'], 'search-b']]);
    });
  });
}

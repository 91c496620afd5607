import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../../lib/db/index.ts';
import { migrate } from '../../../lib/db/migrate.ts';
import { countChunks, pendingChunks, replaceChunks, storeEmbeddings } from '../../../lib/documents/chunk-repository.ts';
import { deleteDocument, getDocument, insertDocumentIfNew, listDocuments, updateDocumentStage } from '../../../lib/documents/repository.ts';
import { registerEmbeddingModel } from '../../../lib/embeddings/registry.ts';
import { engines, openTestDatabase } from '../../helpers/platform.ts';

/** One contract, every adapter: the same SQL must behave the same on PGlite and PostgreSQL. */
for (const engine of engines) {
  describe(`database contract on ${engine}`, () => {
    let db: Database;
    let close = async () => {};
    const newDoc = (id: string) => ({
      id,
      contentSha256: id,
      title: null,
      source: null,
      tags: ['t1'],
      filename: 'a.txt',
      docType: 'txt',
      sizeBytes: 5,
      blobKey: `documents/${id}`,
      workflowId: `doc-${id}`,
    });

    before(async () => {
      ({ db, close } = await openTestDatabase(engine));
    });
    after(async () => {
      await close();
    });

    test('migrations apply once; running them again applies nothing', async () => {
      assert.deepEqual(await migrate(db), []);
    });

    test('counts come back as numbers on both engines', async () => {
      const { rows } = await db.query<{ n: number }>('select count(*) as n from documents');
      assert.equal(typeof rows[0]!.n, 'number');
    });

    test('a transaction that throws leaves nothing behind', async () => {
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query(`insert into documents (id, content_sha256, doc_type, size_bytes, blob_key, status, workflow_id)
                          values ('rollback', 'rollback', 'txt', 1, 'k', 'queued', 'w')`);
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await getDocument(db, 'rollback'), undefined);
    });

    test('inserting the same document twice keeps the first', async () => {
      const first = await insertDocumentIfNew(db, newDoc('a'.repeat(64)));
      const second = await insertDocumentIfNew(db, { ...newDoc('a'.repeat(64)), title: 'other' });
      assert.equal(first.created, true);
      assert.equal(second.created, false);
      assert.equal(second.document.title, null);
    });

    test('chunks are replaced whole, vectors stored idempotently, and deleted with their document', async () => {
      const id = 'b'.repeat(64);
      await insertDocumentIfNew(db, newDoc(id));
      const chunk = (index: number) => ({ index, text: `chunk ${index}`, tokenCount: 3, start: index * 10, end: index * 10 + 7, heading: null });
      await replaceChunks(db, id, [chunk(0), chunk(1), chunk(2)]);
      await replaceChunks(db, id, [chunk(0), chunk(1)]);
      assert.deepEqual(await countChunks(db, id), { total: 2, pending: 2 });
      const vector = new Float32Array(4).fill(0.5);
      await storeEmbeddings(db, id, [{ index: 0, vector }]);
      await storeEmbeddings(db, id, [{ index: 0, vector }]);
      assert.deepEqual(await countChunks(db, id), { total: 2, pending: 1 });
      assert.deepEqual(await pendingChunks(db, id, 10), [{ index: 1, text: 'chunk 1' }]);
      assert.equal(await deleteDocument(db, id), true);
      assert.deepEqual(await countChunks(db, id), { total: 0, pending: 0 });
      await assert.rejects(replaceChunks(db, id, [chunk(0)]), { code: 'E_DOCUMENT_GONE' });
    });

    test('stage updates keep what they do not mention, and clear an error only when told', async () => {
      const id = 'c'.repeat(64);
      await insertDocumentIfNew(db, newDoc(id));
      await updateDocumentStage(db, id, { status: 'failed', error: { code: 'E_NO_TEXT', message: 'no text' } });
      await updateDocumentStage(db, id, { progress: 0.5 });
      let doc = (await getDocument(db, id))!;
      assert.deepEqual([doc.status, doc.errorCode, doc.progress], ['failed', 'E_NO_TEXT', 0.5]);
      await updateDocumentStage(db, id, { status: 'queued', error: null });
      doc = (await getDocument(db, id))!;
      assert.deepEqual([doc.status, doc.errorCode], ['queued', null]);
    });

    test('listing pages newest first and filters by tag and status', async () => {
      const page1 = await listDocuments(db, { limit: 1, tag: 't1' });
      assert.equal(page1.items.length, 1);
      assert.ok(page1.nextCursor);
      const cursor = JSON.parse(Buffer.from(page1.nextCursor, 'base64url').toString());
      const page2 = await listDocuments(db, { limit: 10, tag: 't1', cursor });
      assert.ok(!page2.items.some((d) => d.id === page1.items[0]!.id));
      assert.equal((await listDocuments(db, { limit: 10, tag: 'absent' })).items.length, 0);
      assert.ok((await listDocuments(db, { limit: 10, status: 'queued' })).items.every((d) => d.status === 'queued'));
    });

    test('one embedding model per database: a different model or dimension is refused', async () => {
      await registerEmbeddingModel(db, 'model-a', 4);
      await registerEmbeddingModel(db, 'model-a', 4);
      await assert.rejects(registerEmbeddingModel(db, 'model-b', 4), { code: 'E_EMBEDDING_MODEL_MISMATCH' });
      await assert.rejects(registerEmbeddingModel(db, 'model-a', 8), { code: 'E_EMBEDDING_MODEL_MISMATCH' });
      await assert.rejects(registerEmbeddingModel(db, 'model-a', 0), { code: 'E_EMBEDDING_DIMENSION' });
    });
  });
}

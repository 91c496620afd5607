import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { ingestProgressQuery, searchAttributes } from '../../workflows/definitions.ts';
import { distractors, paraphrasedQueries, retentionPolicyEn, travelPolicyZh } from '../fixtures/corpus.ts';
import { deleteAndWait, engines, startTestPlatform, upload, waitForDocument, type TestPlatform } from '../helpers/platform.ts';

for (const engine of engines) {
  describe(`ingestion end to end on ${engine}`, () => {
    let t: TestPlatform;
    let temporal: Client;
    const ids: Record<string, string> = {};

    before(async () => {
      t = await startTestPlatform(engine);
      temporal = new Client({ connection: await Connection.connect({ address: t.platform.config.TEMPORAL_ADDRESS }) });
      const docs = { 'travel-zh.md': travelPolicyZh, 'retention-en.md': retentionPolicyEn, ...distractors };
      // Workflow ids come from content; a per-suite line keeps this suite's runs its own on a shared server.
      const batch = `\n\nbatch ${randomUUID()}`;
      for (const [name, text] of Object.entries(docs)) {
        const { status, body } = await upload(t.api.url, text + batch, name, { tags: 'corpus' });
        assert.equal(status, 202, JSON.stringify(body));
        assert.equal(body.status, 'queued');
        assert.equal(body.workflowId, `doc-${body.id}`);
        ids[name] = body.id;
      }
      for (const id of Object.values(ids)) assert.equal((await waitForDocument(t.api.url, id)).status, 'ready');
    });

    after(async () => {
      await temporal?.connection.close();
      await t?.close();
    });

    test('a Chinese and an English document become ready with chunks and full progress', async () => {
      for (const name of ['travel-zh.md', 'retention-en.md']) {
        const doc = await waitForDocument(t.api.url, ids[name]!);
        assert.equal(doc.status, 'ready');
        assert.equal(doc.stage, 'ready');
        assert.equal(doc.progress, 1);
        assert.ok(doc.chunks >= 1);
        assert.equal(doc.error, null);
        const { rows } = await t.platform.db.query<{ n: number; vectors: number; indexed: number }>(
          `select count(*) as n, count(embedding) as vectors, count(search_vector) as indexed from chunks where document_id = $1`,
          [doc.id],
        );
        assert.deepEqual(rows[0], { n: doc.chunks, vectors: doc.chunks, indexed: doc.chunks });
        const run = temporal.workflow.getHandle(doc.workflowId);
        await run.result();
        assert.deepEqual(await run.query(ingestProgressQuery), { stage: 'ready', progress: 1, chunks: doc.chunks, embedded: doc.chunks });
        const attributes = (await run.describe()).typedSearchAttributes;
        assert.equal(attributes.get(searchAttributes.jobKind), 'ingest');
        assert.equal(attributes.get(searchAttributes.jobStatus), 'ready');
        // A small text document is prepared inside the workflow task: no activity task. Its last
        // step asks for a search sync, a local activity behind the `request-search-sync` patch.
        const events = (await run.fetchHistory()).events ?? [];
        assert.equal(events.filter((e) => e.activityTaskScheduledEventAttributes).length, 0);
        const markers = events.flatMap((e) => (e.markerRecordedEventAttributes ? [e.markerRecordedEventAttributes.markerName] : []));
        assert.deepEqual(markers, ['core_local_activity', 'core_local_activity', 'core_patch', 'core_local_activity']);
      }
    });

    for (const [lang, target] of [['zh', 'travel-zh.md'], ['en', 'retention-en.md']] as const) {
      test(`a ${lang} paraphrase finds its document in the top 3`, async () => {
        const q = encodeURIComponent(paraphrasedQueries[lang]);
        const response = await fetch(`${t.api.url}/v1/search/semantic?q=${q}&k=3`);
        assert.equal(response.status, 200);
        const { results } = (await response.json()) as { results: { documentId: string; score: number; text: string; chunkId: string }[] };
        assert.equal(results.length, 3);
        assert.ok(results.some((r) => r.documentId === ids[target]), `top 3: ${results.map((r) => r.text.slice(0, 30)).join(' | ')}`);
        assert.ok(results[0]!.score >= results[2]!.score, 'results are ordered best first');
        assert.match(results[0]!.chunkId, /^[0-9a-f]{64}:\d+$/);
      });
    }

    test('the same bytes uploaded again, even racing, are one document and one workflow run', async () => {
      const text = `重复上传测试 ${engine} ${randomUUID()}：同样的内容只生成一个文档。`;
      const racing = await Promise.all([1, 2, 3].map(() => upload(t.api.url, text, 'dup.txt')));
      const docIds = new Set(racing.map((r) => r.body.id));
      assert.equal(docIds.size, 1);
      assert.deepEqual(racing.map((r) => r.status).sort(), [200, 200, 202]);
      const [id] = [...docIds];
      await waitForDocument(t.api.url, id!);
      const again = await upload(t.api.url, text, 'other-name.txt');
      assert.equal(again.status, 200);
      assert.equal(again.body.duplicate, true);
      let runs = 0;
      for await (const _ of temporal.workflow.list({ query: `WorkflowId = 'doc-${id}' AND TaskQueue = '${t.env.INGEST_TASK_QUEUE}'` })) runs++;
      assert.equal(runs, 1);
    });

    test('list pages through documents with a cursor and filters by status and tag', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url = `${t.api.url}/v1/documents?limit=3&tag=corpus${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await (await fetch(url)).json()) as { items: { id: string; tags: string[] }[]; nextCursor: string | null };
        assert.ok(page.items.length <= 3);
        seen.push(...page.items.map((d) => d.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(new Set(seen), new Set(Object.values(ids)));
      assert.equal(seen.length, Object.keys(ids).length, 'no document repeats across pages');
      const failed = (await (await fetch(`${t.api.url}/v1/documents?status=failed&tag=corpus`)).json()) as { items: unknown[] };
      assert.deepEqual(failed.items, []);
    });

    test('delete removes the document, its chunks and its vectors from search', async () => {
      const id = ids['cooking-zh.md']!;
      await deleteAndWait(t.api.url, id);
      const { rows } = await t.platform.db.query<{ n: number }>('select count(*) as n from chunks where document_id = $1', [id]);
      assert.equal(rows[0]!.n, 0);
      const search = (await (await fetch(`${t.api.url}/v1/search/semantic?q=${encodeURIComponent('红烧肉怎么做')}&k=10`)).json()) as {
        results: { documentId: string }[];
      };
      assert.ok(!search.results.some((r) => r.documentId === id));
      assert.equal((await fetch(`${t.api.url}/v1/documents/${id}`, { method: 'DELETE' })).status, 404, 'a second delete finds nothing');
    });

    test('reingest runs a ready document again to the same chunks', async () => {
      const id = ids['weather-zh.md']!;
      const before = await waitForDocument(t.api.url, id);
      const response = await fetch(`${t.api.url}/v1/documents/${id}/reingest`, { method: 'POST' });
      assert.equal(response.status, 202);
      const after = await waitForDocument(t.api.url, id);
      assert.equal(after.status, 'ready');
      assert.equal(after.chunks, before.chunks);
    });

    test('deleting a document mid-ingestion cancels its run and leaves nothing behind', async () => {
      // Long enough that embedding takes several rounds (256 chunks each) and seconds on two cores, so the
      // deletion lands mid-run: at 400 paragraphs one round held it all, and a fast run could finish first.
      const run = randomUUID(); // fresh bytes: a run left open by an aborted earlier suite must not be joined
      const paragraphs = Array.from({ length: 1500 }, (_, i) => `第${i}段：${travelPolicyZh.slice(0, 200)} 编号${i}-${run}。`);
      const { body } = await upload(t.api.url, paragraphs.join('\n\n'), 'long.md');
      const deadline = Date.now() + 60_000;
      while ((await waitForStage(t.api.url, body.id)) !== 'embedding') {
        assert.ok(Date.now() < deadline, 'never reached embedding');
        await new Promise((r) => setTimeout(r, 100));
      }
      const deletion = await deleteAndWait(t.api.url, body.id);
      assert.deepEqual(await temporal.workflow.getHandle(deletion.workflowId).result(), { documentId: body.id, deleted: true });
      const handle = temporal.workflow.getHandle(body.workflowId);
      await assert.rejects(handle.result());
      assert.equal((await handle.describe()).status.name, 'CANCELLED');
      const { rows } = await t.platform.db.query<{ n: number }>('select count(*) as n from chunks where document_id = $1', [body.id]);
      assert.equal(rows[0]!.n, 0);
      assert.deepEqual(readdirSync(t.env.BLOB_DIR!, { recursive: true }).filter((f) => !String(f).match(/^(documents|text|staging)$/)).filter((f) => String(f).includes(body.id)), []);
    });
  });
}

async function waitForStage(apiUrl: string, id: string): Promise<string> {
  const body = (await (await fetch(`${apiUrl}/v1/documents/${id}`)).json()) as { stage: string };
  return body.stage;
}

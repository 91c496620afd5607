import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { retentionPolicyEn, travelPolicyZh } from '../fixtures/corpus.ts';
import { spawnWorkerProcess, startTestPlatform, upload, waitForDocument, type TestPlatform } from '../helpers/platform.ts';

/** Small batches on one thread, so the kill lands with many batches committed and many to go. */
const spawnWorker = (env: Record<string, string>) => spawnWorkerProcess({ ...env, EMBEDDING_BATCH_SIZE: '8', EMBEDDING_THREADS: '1' });
const killed = async (worker: ChildProcess) => {
  worker.kill('SIGKILL');
  if (worker.exitCode === null) await new Promise((resolve) => worker.once('exit', resolve));
};

describe('a worker killed with SIGKILL', () => {
  let t: TestPlatform;
  let worker: ChildProcess | undefined;

  before(async () => {
    t = await startTestPlatform('postgres', { withWorker: false });
  });
  after(async () => {
    worker?.kill('SIGKILL');
    await t?.close();
  });

  /** Each embedded chunk's vector and row version: PostgreSQL gives a rewritten row a new xmin. */
  const committedVectors = async (id: string) =>
    (
      await t.platform.db.query<{ idx: number; version: string; vector: string }>(
        'select idx, xmin::text as version, embedding::text as vector from chunks where document_id = $1 and embedding is not null order by idx',
        [id],
      )
    ).rows.map((r) => ({ ...r }));

  test('mid-embedding: the document completes once, keeping the vectors committed before the kill', { timeout: 300_000 }, async () => {
    const text = Array.from({ length: 120 }, (_, i) => `## 第${i}节 ${randomUUID()}\n\n${i % 2 ? travelPolicyZh : retentionPolicyEn}`).join('\n\n');
    worker = spawnWorker(t.env);
    const { body } = await upload(t.api.url, text, 'crash.md');
    const id = body.id as string;

    // Wait until some, but not all, vectors are committed, then kill the worker without warning.
    const embedded = async () =>
      (
        await t.platform.db.query<{ total: number; done: number }>(
          'select count(*) as total, count(embedding) as done from chunks where document_id = $1',
          [id],
        )
      ).rows[0]!;
    const deadline = Date.now() + 120_000;
    let counts = await embedded();
    while (!(Number(counts.done) >= 16 && Number(counts.done) < Number(counts.total))) {
      assert.ok(Date.now() < deadline, `never caught the worker mid-embedding: ${JSON.stringify(counts)}`);
      await new Promise((r) => setTimeout(r, 50));
      counts = await embedded();
    }
    await killed(worker);
    const atKill = await embedded();
    assert.ok(Number(atKill.done) < Number(atKill.total), 'the kill landed before the work was done');
    // The vectors committed before the kill, with each row's version (xmin changes on any rewrite).
    const committed = await committedVectors(id);
    assert.ok(committed.length >= 16);

    worker = spawnWorker(t.env);
    const doc = await waitForDocument(t.api.url, id, 240_000);
    assert.equal(doc.status, 'ready');

    const { rows } = await t.platform.db.query<{ n: number; distinct_idx: number; min: number; max: number; vectors: number }>(
      'select count(*) as n, count(distinct idx) as distinct_idx, min(idx) as min, max(idx) as max, count(embedding) as vectors from chunks where document_id = $1',
      [id],
    );
    const stats = rows[0]!;
    assert.equal(Number(stats.n), doc.chunks);
    assert.equal(Number(stats.distinct_idx), doc.chunks);
    assert.equal(Number(stats.vectors), doc.chunks);
    assert.equal(stats.min, 0);
    assert.equal(stats.max, doc.chunks - 1);
    assert.equal(Number(stats.n), Number(atKill.total), 'the chunk set did not change across the crash');

    const after = new Map((await committedVectors(id)).map((row) => [row.idx, row]));
    for (const before of committed) {
      assert.deepEqual(after.get(before.idx), before, `chunk ${before.idx} was kept as committed, not recomputed`);
    }

    const client = new Client({ connection: await Connection.connect({ address: t.platform.config.TEMPORAL_ADDRESS }) });
    try {
      const runs = [];
      for await (const run of client.workflow.list({ query: `WorkflowId = 'doc-${id}' AND TaskQueue = '${t.env.INGEST_TASK_QUEUE}'` })) runs.push(run);
      assert.equal(runs.length, 1, 'one workflow run');
      const run = client.workflow.getHandle(doc.workflowId);
      assert.deepEqual(await run.result(), { documentId: id, status: 'ready', chunks: doc.chunks });
      assert.equal((await run.describe()).status.name, 'COMPLETED');
      const history = await run.fetchHistory();
      // The first round embeds inside prepareDocument, later rounds in embedPendingChunks: the kill hit one of them.
      const embeddingAttempts = (history.events ?? [])
        .filter((e) => ['prepareDocument', 'embedPendingChunks'].includes(e.activityTaskScheduledEventAttributes?.activityType?.name ?? ''))
        .map((scheduled) => history.events!.find((e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === scheduled.eventId?.toString()))
        .map((started) => started?.activityTaskStartedEventAttributes?.attempt ?? 0);
      assert.ok(Math.max(...embeddingAttempts) >= 2, `an embedding activity ran again after the kill (attempts ${embeddingAttempts})`);
    } finally {
      await client.connection.close();
      await killed(worker);
    }
  });

  const row = async (id: string) =>
    (await t.platform.db.query<{ status: string }>('select status from documents where id = $1', [id])).rows[0];

  test('while a document is deleted: the delete completes after a restart and leaves no row, chunk or file behind', { timeout: 300_000 }, async () => {
    // An ingestion killed mid-embedding: its run is open, with chunks and vectors stored.
    const text = Array.from({ length: 80 }, (_, i) => `## 第${i}节 ${randomUUID()}\n\n${i % 2 ? travelPolicyZh : retentionPolicyEn}`).join('\n\n');
    worker = spawnWorker(t.env);
    const { body } = await upload(t.api.url, text, 'to-delete.md');
    const id = body.id as string;
    const deadline = Date.now() + 120_000;
    const vectors = async () => Number((await t.platform.db.query<{ n: number }>('select count(embedding) as n from chunks where document_id = $1', [id])).rows[0]!.n);
    while ((await vectors()) < 8) {
      assert.ok(Date.now() < deadline, 'embedding never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    await killed(worker);

    // The delete starts with no worker alive, then the next worker dies as soon as it has begun.
    const response = await fetch(`${t.api.url}/v1/documents/${id}`, { method: 'DELETE' });
    assert.equal(response.status, 202);
    const { workflowId } = (await response.json()) as { workflowId: string };
    worker = spawnWorker(t.env);
    while ((await row(id))?.status !== 'deleting' && (await row(id)) !== undefined) await new Promise((r) => setTimeout(r, 5));
    await killed(worker);
    console.log(`kill landed with the document row ${(await row(id)) ? 'still present' : 'already removed'}`);

    worker = spawnWorker(t.env);
    const client = new Client({ connection: await Connection.connect({ address: t.platform.config.TEMPORAL_ADDRESS }) });
    try {
      assert.deepEqual(await client.workflow.getHandle(workflowId).result(), { documentId: id, deleted: true });
      // The ingestion run ends too: cancelled, or finding its document gone.
      const ingestion = client.workflow.getHandle(body.workflowId);
      await ingestion.result().catch(() => {});
      assert.ok(['CANCELLED', 'COMPLETED'].includes((await ingestion.describe()).status.name));
      const runs = [];
      for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(run);
      assert.equal(runs.length, 1, 'one delete run');
    } finally {
      await client.connection.close();
    }
    assert.equal(await row(id), undefined);
    assert.equal((await fetch(`${t.api.url}/v1/documents/${id}`)).status, 404);
    const { rows } = await t.platform.db.query<{ n: number }>('select count(*) as n from chunks where document_id = $1', [id]);
    assert.equal(Number(rows[0]!.n), 0);
    const files = readdirSync(t.env.BLOB_DIR!, { recursive: true }).map(String);
    assert.deepEqual(files.filter((f) => f.includes(id)), [], 'no upload or text file of the document remains');
  });
});

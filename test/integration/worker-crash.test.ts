import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { retentionPolicyEn, travelPolicyZh } from '../fixtures/corpus.ts';
import { spawnWorkerProcess, startTestPlatform, upload, waitForDocument, type TestPlatform } from '../helpers/platform.ts';

/** Small batches on one thread, so the kill lands with many batches committed and many to go. */
const spawnWorker = (env: Record<string, string>) => spawnWorkerProcess({ ...env, EMBEDDING_BATCH_SIZE: '8', EMBEDDING_THREADS: '1' });

describe('a worker killed with SIGKILL mid-embedding', () => {
  let t: TestPlatform;
  let worker: ChildProcess | undefined;

  before(async () => {
    t = await startTestPlatform('postgres', { withWorker: false });
  });
  after(async () => {
    worker?.kill('SIGKILL');
    await t?.close();
  });

  test('the document completes once, with exactly the right chunks and no duplicates', { timeout: 300_000 }, async () => {
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
    worker.kill('SIGKILL');
    await new Promise((resolve) => worker!.once('exit', resolve));
    const atKill = await embedded();
    assert.ok(Number(atKill.done) < Number(atKill.total), 'the kill landed before the work was done');

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

    const client = new Client({ connection: await Connection.connect({ address: t.platform.config.TEMPORAL_ADDRESS }) });
    try {
      const runs = [];
      for await (const run of client.workflow.list({ query: `WorkflowId = 'doc-${id}' AND TaskQueue = '${t.env.INGEST_TASK_QUEUE}'` })) runs.push(run);
      assert.equal(runs.length, 1, 'one workflow run');
      const run = client.workflow.getHandle(doc.workflowId);
      assert.deepEqual(await run.result(), { documentId: id, status: 'ready', chunks: doc.chunks });
      assert.equal((await run.describe()).status.name, 'COMPLETED');
    } finally {
      await client.connection.close();
    }
  });
});

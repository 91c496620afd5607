/**
 * Orchestration that lives in workflows: an upload that cannot start its run,
 * the reconcile workflow and its Schedule, and deleting a knowledge base.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { ensureReconcileSchedule } from '../../client/schedules.ts';
import { documentIdFor } from '../../lib/documents/ids.ts';
import { insertDocumentIfNew } from '../../lib/documents/repository.ts';
import type { reconcileDocuments } from '../../workflows/index.ts';
import { reconcileScheduleId } from '../../workflows/definitions.ts';
import { retentionPolicyEn, travelPolicyZh } from '../fixtures/corpus.ts';
import { startTestPlatform, upload, waitForDocument, type TestPlatform } from '../helpers/platform.ts';

/** Every file below the blob directory, as blob keys. */
const blobFiles = (t: TestPlatform) =>
  readdirSync(t.env.BLOB_DIR!, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(t.env.BLOB_DIR!, path.join(e.parentPath, e.name)))
    .sort();

describe('an upload whose workflow cannot start', () => {
  let t: TestPlatform;
  before(async () => {
    // A namespace the server does not have: the API's start is refused, a real fault.
    t = await startTestPlatform('postgres', { withWorker: false, env: { TEMPORAL_NAMESPACE: `missing-${randomUUID()}` } });
  });
  after(async () => {
    await t?.close();
  });

  test('answers 503 and leaves no row and no file behind', async () => {
    const { status, body } = await upload(t.api.url, `${travelPolicyZh}\n${randomUUID()}`, 'policy.md');
    assert.equal(status, 503);
    assert.equal(body.code, 'E_WORKFLOW_ENGINE_UNAVAILABLE');
    const { rows } = await t.platform.db.query<{ n: number }>('select count(*) as n from documents');
    assert.equal(Number(rows[0]!.n), 0);
    assert.deepEqual(blobFiles(t), []);
  });
});

describe('the reconcile workflow', () => {
  let t: TestPlatform;
  let client: Client;
  before(async () => {
    t = await startTestPlatform('postgres');
    client = new Client({ connection: await Connection.connect({ address: t.platform.config.TEMPORAL_ADDRESS }) });
  });
  after(async () => {
    await client?.connection.close();
    await t?.close();
  });

  /** A document as a crash would leave it: its row and upload stored, no run started. */
  async function strandedDocument(status: 'queued' | 'running', text: string): Promise<string> {
    const sha = randomUUID().replaceAll('-', '').padEnd(64, '0');
    const id = documentIdFor({ tenant: 'default', knowledgeBase: 'default', contentSha256: sha });
    t.api.documentReads.added(id); // as the upload announces it, before its row
    await t.platform.blobs.put(`documents/${id}`, Readable.from([text]));
    await insertDocumentIfNew(t.platform.db, {
      id, contentSha256: sha, title: null, source: null, tags: [], filename: 'lost.md', docType: 'md',
      sizeBytes: Buffer.byteLength(text), blobKey: `documents/${id}`, workflowId: `doc-${id}`,
    });
    await t.platform.db.query(`update documents set status = $2, updated_at = now() - interval '10 minutes' where id = $1`, [id, status]);
    return id;
  }

  /** Writes a blob and backdates it, as if a crash had left it an hour and more ago. */
  async function oldBlob(key: string, ageMs = 2 * 3_600_000): Promise<void> {
    await t.platform.blobs.put(key, Readable.from(['orphan']));
    const when = new Date(Date.now() - ageMs);
    utimesSync(path.join(t.env.BLOB_DIR!, key), when, when);
  }

  test('restarts documents whose run was lost, and sweeps only orphan files', { timeout: 180_000 }, async () => {
    const queued = await strandedDocument('queued', `# 上传后崩溃\n\n${travelPolicyZh}\n${randomUUID()}`);
    const running = await strandedDocument('running', `# Lost with the server\n\n${retentionPolicyEn}\n${randomUUID()}`);
    const kept = await upload(t.api.url, `${retentionPolicyEn}\n${randomUUID()}`, 'kept.md');
    await waitForDocument(t.api.url, kept.body.id);
    await oldBlob('staging/crashed-upload');
    await oldBlob(`documents/${'f'.repeat(64)}`);
    await oldBlob(`documents/${'e'.repeat(64)}.0b1c.partial`);
    await oldBlob(`text/${'d'.repeat(64)}.txt`);
    await t.platform.blobs.put('staging/in-flight', Readable.from(['fresh']));

    const report = await client.workflow.execute<typeof reconcileDocuments>('reconcileDocuments', {
      taskQueue: t.env.INGEST_TASK_QUEUE!,
      workflowId: `reconcile-${randomUUID()}`,
      args: [{ graceMs: 60_000, orphanAgeMs: 3_600_000 }],
    });
    assert.deepEqual(new Set(report.restarted), new Set([queued, running]));
    assert.deepEqual(report.removedBlobs.sort(), [
      `documents/${'e'.repeat(64)}.0b1c.partial`,
      `documents/${'f'.repeat(64)}`,
      'staging/crashed-upload',
      `text/${'d'.repeat(64)}.txt`,
    ]);
    for (const id of [queued, running]) assert.equal((await waitForDocument(t.api.url, id)).status, 'ready');
    const files = blobFiles(t);
    assert.ok(files.includes('staging/in-flight'), 'a fresh staging file is left alone');
    assert.ok(files.includes(`documents/${kept.body.id}`), 'an upload with its document is kept');

    const again = await client.workflow.execute<typeof reconcileDocuments>('reconcileDocuments', {
      taskQueue: t.env.INGEST_TASK_QUEUE!,
      workflowId: `reconcile-${randomUUID()}`,
      args: [{ graceMs: 0, orphanAgeMs: 3_600_000 }],
    });
    assert.deepEqual(again.restarted, [], 'a second run finds nothing to restart');
  });

  test('its Schedule is created once and kept up to date', async () => {
    const taskQueue = t.env.INGEST_TASK_QUEUE!;
    assert.equal(await ensureReconcileSchedule(client, taskQueue, 5), reconcileScheduleId(taskQueue));
    await ensureReconcileSchedule(client, taskQueue, 7);
    const schedule = client.schedule.getHandle(reconcileScheduleId(taskQueue));
    try {
      const described = await schedule.describe();
      assert.equal(described.spec.intervals?.[0]?.every, 7 * 60_000);
      assert.equal(described.policies.overlap, 'SKIP');
      assert.equal(described.action.type === 'startWorkflow' && described.action.workflowType, 'reconcileDocuments');
    } finally {
      await schedule.delete();
    }
  });
});

describe('deleting a knowledge base', () => {
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform('pglite');
  });
  after(async () => {
    await t?.close();
  });

  test('removes its documents, their chunks and files, then itself; other knowledge bases keep theirs', { timeout: 180_000 }, async () => {
    const kb = `hr-${randomUUID().slice(0, 8)}`;
    const created = await fetch(`${t.api.url}/v1/knowledge-bases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: kb, name: '人力资源' }),
    });
    assert.equal(created.status, 201);
    const text = `${travelPolicyZh}\n${randomUUID()}`;
    const inKb = await Promise.all([text, `${retentionPolicyEn}\n${randomUUID()}`].map((s, i) => upload(t.api.url, s, `${i}.md`, { knowledgeBase: kb })));
    const elsewhere = await upload(t.api.url, text, 'same-bytes.md');
    assert.notEqual(elsewhere.body.id, inKb[0]!.body.id, 'the same bytes in another knowledge base are another document');
    for (const { body } of [...inKb, elsewhere]) assert.equal((await waitForDocument(t.api.url, body.id)).status, 'ready');

    const response = await fetch(`${t.api.url}/v1/knowledge-bases/${kb}`, { method: 'DELETE' });
    assert.equal(response.status, 202);
    const deadline = Date.now() + 60_000;
    while ((await fetch(`${t.api.url}/v1/knowledge-bases/${kb}`)).status !== 404) {
      assert.ok(Date.now() < deadline, 'the knowledge base went away');
      await new Promise((r) => setTimeout(r, 200));
    }
    for (const { body } of inKb) assert.equal((await fetch(`${t.api.url}/v1/documents/${body.id}`)).status, 404);
    const { rows } = await t.platform.db.query<{ n: number }>('select count(*) as n from chunks where document_id = any($1)', [inKb.map((u) => u.body.id)]);
    assert.equal(Number(rows[0]!.n), 0);
    assert.deepEqual(blobFiles(t).filter((f) => inKb.some((u) => f.includes(u.body.id))), []);
    assert.equal((await waitForDocument(t.api.url, elsewhere.body.id)).status, 'ready');
  });
});

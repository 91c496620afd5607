/**
 * A backup's worker killed with SIGKILL while a part is being written, on each
 * engine, against the real worker process and Temporal server: the backup is never
 * listed complete, and the run finishes after a restart. (A corrupted stored part
 * is in engine.test.ts, which has a platform at hand on both engines.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Client } from '@temporalio/client';
import { createBackupWorkflows } from '../../../client/backups.ts';
import { createLocalBlobStore } from '../../../lib/blob/local.ts';
import type { BlobStore } from '../../../lib/blob/port.ts';
import { getBackup, listBackups } from '../../../lib/backup/repository.ts';
import { countRows } from '../../../lib/backup/tables.ts';
import { createDatabase, type Database } from '../../../lib/db/index.ts';
import { loadGeneratedErp } from '../../../lib/erp/generate-load.ts';
import { spawnWorkerProcess, startTestPlatform, type TestPlatform } from '../../helpers/platform.ts';
import { connectClient, keysUnder, outcomeOf } from './backup-helpers.ts';

const killed = async (worker: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGKILL') => {
  if (!worker || worker.exitCode !== null) return;
  const exit = new Promise((resolve) => worker.once('exit', resolve));
  worker.kill(signal);
  await exit;
};

/** Incompressible blobs, so archiving them takes seconds: long enough to be caught mid-write. */
async function fillBlobs(blobs: BlobStore, megabytes: number) {
  for (let i = 0; i < megabytes / 8; i++) await blobs.put(`documents/noise-${i}`, Readable.from([randomBytes(8 * 1024 * 1024)]));
}

/** Waits until the blob part of `backupId` is being written (its `.partial` file exists). */
async function waitForPartialBlobs(blobDir: string, backupId: string, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const files = await readdir(path.join(blobDir, 'backups', backupId)).catch(() => [] as string[]);
    const partial = files.find((f) => f.startsWith('blobs.') && f.endsWith('.partial'));
    if (partial) return partial;
    assert.ok(Date.now() < deadline, `the blob part of ${backupId} never started`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** How many times an activity was started in a run (a retry after a kill starts it again). */
async function attemptsOf(client: Client, workflowId: string, activity: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activity);
  const started = scheduled.map((s) =>
    history.events!.find((e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === s.eventId?.toString()),
  );
  return Math.max(0, ...started.map((e) => e?.activityTaskStartedEventAttributes?.attempt ?? 0));
}

/** Row counts without embedding_models, which the worker process fills when it first starts. */
const withoutModels = ({ embedding_models: _, ...rest }: Record<string, number>) => rest;
const stableCounts = async (db: Database) => withoutModels(await countRows(db));

interface Rig {
  env: Record<string, string>;
  blobDir: string;
  blobs: BlobStore;
  /** The database, for reading and writing between worker runs (PGlite: only while no worker has it open). */
  withDb<T>(work: (db: Database) => Promise<T>): Promise<T>;
}

function faultSuite(engine: 'pglite' | 'postgres', setUp: () => Promise<Rig & { close(): Promise<void> }>) {
  describe(`backup faults on ${engine}`, () => {
    let rig: Rig & { close(): Promise<void> };
    let temporal: { client: Client; close(): Promise<void> };
    let worker: ChildProcess | undefined;
    let backupId: string;
    let workflowId: string;
    let counts: Record<string, number>;

    before(async () => {
      rig = await setUp();
      temporal = await connectClient(process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233');
      await fillBlobs(rig.blobs, 16);
      counts = await rig.withDb((db) => stableCounts(db));
    });
    after(async () => {
      await killed(worker);
      await temporal?.close();
      await rig?.close();
    });

    test('killed with SIGKILL while a part is written: never listed complete, then finished after a restart', { timeout: 240_000 }, async () => {
      worker = spawnWorkerProcess(rig.env);
      ({ backupId, workflowId } = await createBackupWorkflows(temporal.client, rig.env.MAINTENANCE_TASK_QUEUE!).start({ kind: 'manual' }));
      const partial = await waitForPartialBlobs(rig.blobDir, backupId);
      await killed(worker);
      await rig.withDb(async (db) => {
        const atKill = (await getBackup(db, backupId))!;
        assert.equal(atKill.status, 'running', 'a backup cut short is not complete');
        assert.equal(atKill.manifest, undefined);
        const listed = await listBackups(db, { limit: 10 });
        assert.deepEqual(listed.items.map((b) => [b.id, b.status]), [[backupId, 'running']]);
      });
      console.log(`# ${engine}: killed while writing ${partial}`);

      const restarted = performance.now();
      worker = spawnWorkerProcess(rig.env);
      const done = await outcomeOf(temporal.client, workflowId);
      console.log(`# ${engine}: finished ${Math.round(performance.now() - restarted)} ms after the restart`);
      assert.deepEqual(done, { ok: true });
      assert.ok((await attemptsOf(temporal.client, workflowId, 'archiveBlobsPart')) >= 2, 'the blob part was written again');
      // PGlite's database belongs to the worker process while it runs: stop it (gracefully) before the test opens it.
      if (engine === 'pglite') await killed(worker, 'SIGTERM');
      await rig.withDb(async (db) => {
        const record = (await getBackup(db, backupId))!;
        assert.equal(record.status, 'verified');
        assert.equal(record.manifest!.blobs.count, 2);
        assert.deepEqual(withoutModels(record.manifest!.rowCounts), counts);
        // The killed attempt's partial file is gone: only the parts and the manifest remain.
        assert.deepEqual(await keysUnder(rig.blobs, `backups/${backupId}/`), [...record.manifest!.parts.map((p) => p.key), `backups/${backupId}/manifest.json`].sort());
      });
    });

  });
}

faultSuite('postgres', async () => {
  const t: TestPlatform = await startTestPlatform('postgres', { withWorker: false });
  await loadGeneratedErp(t.platform.db, { orders: 2_000, seed: 'backup-faults' }, { copyUrl: t.env.DATABASE_URL });
  return {
    env: t.env,
    blobDir: t.platform.config.BLOB_DIR,
    blobs: t.platform.blobs,
    withDb: (work) => work(t.platform.db),
    close: () => t.close(),
  };
});

faultSuite('pglite', async () => {
  // Embedded mode: the worker process owns the PGlite directory, so the test opens it only between worker runs.
  const pgliteDir = mkdtempSync(path.join(os.tmpdir(), 'aistack-pglite-'));
  const blobDir = mkdtempSync(path.join(os.tmpdir(), 'aistack-blobs-'));
  const env: Record<string, string> = {
    DATABASE_URL: '',
    PGLITE_DIR: pgliteDir,
    BLOB_DIR: blobDir,
    INGEST_TASK_QUEUE: `ingest-test-${randomUUID()}`,
    REPORTS_TASK_QUEUE: `reports-test-${randomUUID()}`,
    EMAIL_TASK_QUEUE: `email-test-${randomUUID()}`,
    MAINTENANCE_TASK_QUEUE: `maintenance-test-${randomUUID()}`,
    RECONCILE_EVERY_MINUTES: '0',
    WARM_CACHE_EVERY_MINUTES: '0',
    SEARCH_SYNC_EVERY_MINUTES: '0',
    CACHE_PREFIX: `test-${randomUUID()}`,
  };
  const withDb = async <T>(work: (db: Database) => Promise<T>) => {
    const db = await createDatabase({ PGLITE_DIR: pgliteDir, DATABASE_POOL_MAX: 1 });
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  };
  await withDb((db) => loadGeneratedErp(db, { orders: 500, seed: 'backup-faults' }).then(() => undefined));
  return {
    env,
    blobDir,
    blobs: createLocalBlobStore(blobDir),
    withDb,
    async close() {
      rmSync(pgliteDir, { recursive: true, force: true });
      rmSync(blobDir, { recursive: true, force: true });
    },
  };
});

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startApi, type RunningApi } from '../../api/server.ts';
import { loadConfig } from '../../lib/config.ts';
import { createDatabase, type Database } from '../../lib/db/index.ts';
import { saveHistories } from './histories.ts';
import { createPlatform, type Platform } from '../../lib/platform.ts';
import { connectWorker, createIngestWorker } from '../../worker/ingest-worker.ts';
import { createReportsWorker } from '../../worker/reports-worker.ts';
import { createEmailWorker } from '../../worker/email-worker.ts';
import { createMaintenanceWorker } from '../../worker/maintenance-worker.ts';

export type Engine = 'pglite' | 'postgres';

/** The engines every integration suite runs on; PostgreSQL comes from scripts/services.sh. */
export const engines: Engine[] = ['pglite', 'postgres'];

export interface TestPlatform {
  platform: Platform;
  api: RunningApi;
  env: Record<string, string>;
  close(): Promise<void>;
}

/** A fresh, empty PostgreSQL database for one suite; dropped by the returned function. */
export async function createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set: run the suite with `npm test`, which starts PostgreSQL');
  const name = `aistack_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`); // a generated identifier, not input
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** An empty, migrated database of the chosen engine for one suite; `close` drops a PostgreSQL one. */
export async function openTestDatabase(engine: Engine): Promise<{ db: Database; close(): Promise<void> }> {
  if (engine === 'pglite') {
    const db = await createDatabase({ PGLITE_DIR: 'memory://', DATABASE_POOL_MAX: 1 });
    return { db, close: () => db.close() };
  }
  const scratch = await createScratchDatabase();
  const db = await createDatabase({ DATABASE_URL: scratch.url, PGLITE_DIR: '', DATABASE_POOL_MAX: 4 });
  return {
    db,
    async close() {
      await db.close();
      await scratch.drop();
    },
  };
}

/**
 * The whole platform on a unique task queue: a real Temporal server, a real
 * database of the chosen engine, the real model, an in-process worker and the
 * API on a free port. `withWorker: false` leaves the worker to the test.
 */
export async function startTestPlatform(engine: Engine, options: { withWorker?: boolean; env?: Record<string, string> } = {}): Promise<TestPlatform> {
  const scratch = engine === 'postgres' ? await createScratchDatabase() : undefined;
  const blobDir = mkdtempSync(path.join(os.tmpdir(), 'aistack-blobs-'));
  const env: Record<string, string> = {
    PGLITE_DIR: 'memory://',
    BLOB_DIR: blobDir,
    INGEST_TASK_QUEUE: `ingest-test-${randomUUID()}`,
    REPORTS_TASK_QUEUE: `reports-test-${randomUUID()}`,
    EMAIL_TASK_QUEUE: `email-test-${randomUUID()}`,
    MAINTENANCE_TASK_QUEUE: `maintenance-test-${randomUUID()}`,
    // MailDev from scripts/services.sh: tests read what was delivered through its REST API.
    SMTP_URL: process.env.SMTP_URL ?? 'smtp://127.0.0.1:1025',
    EMAIL_DELIVERY_CHECK_URL: process.env.MAIL_UI_URL ?? 'http://127.0.0.1:1080',
    // Suites run reconcile themselves; a Schedule per suite would outlive it on the shared server.
    RECONCILE_EVERY_MINUTES: '0',
    WARM_CACHE_EVERY_MINUTES: '0',
    SEARCH_SYNC_EVERY_MINUTES: '0',
    // Its own corner of the shared Redis.
    CACHE_PREFIX: `test-${randomUUID()}`,
    // Suites upload hundreds of documents from one address; the rate-limit suite sets its own budgets.
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_EXPENSIVE_PER_MINUTE: '1000000',
    // Open local mode: suites about other things call the API without keys; test/integration/identity.test.ts turns it on.
    AUTH: 'off',
    ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    ...options.env,
  };
  const config = loadConfig({ ...process.env, DATABASE_URL: undefined, ...env });
  const platform = await createPlatform(config);
  const api = await startApi(platform, 0);
  let stopWorker = async () => {};
  if (options.withWorker !== false) {
    const connection = await connectWorker(config);
    const ingest = await createIngestWorker(platform, connection);
    const reports = await createReportsWorker(platform, connection);
    const email = await createEmailWorker(platform, connection);
    const maintenance = await createMaintenanceWorker(platform, connection);
    const workers = [ingest, reports, email, maintenance];
    const running = workers.map((w) => w.run());
    stopWorker = async () => {
      for (const { worker } of workers) worker.shutdown();
      await Promise.all(running);
      await email.close();
      await connection.close();
    };
  }
  return {
    platform,
    api,
    env,
    async close() {
      // This suite's finished runs, for the replay test to check against today's workflow code.
      for (const queue of [env.INGEST_TASK_QUEUE!, env.REPORTS_TASK_QUEUE!, env.EMAIL_TASK_QUEUE!, env.MAINTENANCE_TASK_QUEUE!]) {
        await saveHistories(config.TEMPORAL_ADDRESS, queue).catch((error) => console.error('could not save histories:', error));
      }
      await stopWorker();
      await api.close();
      await platform.close();
      await scratch?.drop();
      rmSync(blobDir, { recursive: true, force: true });
    },
  };
}

/** Polls a document until it leaves queued/running, or fails the test after `timeoutMs`. */
export async function waitForDocument(apiUrl: string, id: string, timeoutMs = 120_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${apiUrl}/v1/documents/${id}`);
    const body = (await response.json()) as Record<string, any>;
    if (!['queued', 'running'].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`document ${id} still ${body.status} (${body.stage}) after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Asks the API to delete a document (202: a workflow does it), then waits until it is gone (404). */
export async function deleteAndWait(apiUrl: string, id: string, timeoutMs = 60_000): Promise<{ workflowId: string }> {
  const response = await fetch(`${apiUrl}/v1/documents/${id}`, { method: 'DELETE' });
  const body = (await response.json()) as { workflowId: string; status: string };
  if (response.status !== 202 || body.status !== 'deleting') throw new Error(`DELETE answered ${response.status} ${JSON.stringify(body)}`);
  const deadline = Date.now() + timeoutMs;
  while ((await fetch(`${apiUrl}/v1/documents/${id}`)).status !== 404) {
    if (Date.now() > deadline) throw new Error(`document ${id} still there ${timeoutMs} ms after DELETE`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return body;
}

/** Uploads bytes as multipart, the way a client would. */
export async function upload(apiUrl: string, bytes: Uint8Array | string, filename: string, fields: Record<string, string> = {}) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([Buffer.from(bytes)]), filename);
  const response = await fetch(`${apiUrl}/v1/documents`, { method: 'POST', body: form });
  return { status: response.status, body: (await response.json()) as Record<string, any>, headers: response.headers };
}

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The real worker process, as production runs it, on the platform's task queue and database. */
export function spawnWorkerProcess(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

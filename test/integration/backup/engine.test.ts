/**
 * backupPlatform and restorePlatform end to end on each engine, through the real
 * worker and Temporal server: what a backup stores, that it is proven by a
 * restore, what a restore does to the live platform, and retention.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { Client } from '@temporalio/client';
import { createBackupWorkflows } from '../../../client/backups.ts';
import { consumeRestoreToken, issueRestoreToken } from '../../../lib/backup/confirmation.ts';
import { getBackup, listBackups } from '../../../lib/backup/repository.ts';
import { openPart } from '../../../lib/backup/parts.ts';
import { restorePostgres } from '../../../lib/backup/postgres-dump.ts';
import { countRows } from '../../../lib/backup/tables.ts';
import { keyFor } from '../../../lib/backup/verify.ts';
import type { Queryable } from '../../../lib/db/index.ts';
import { loadGeneratedErp } from '../../../lib/erp/generate-load.ts';
import { engines, startTestPlatform, upload, waitForDocument, type TestPlatform } from '../../helpers/platform.ts';
import { backupAndWait, connectClient, flipByte, keysUnder, outcomeOf } from './backup-helpers.ts';

const KEY = 'b1'.repeat(32);

/** Row counts once two readings 1.5 s apart agree (background search syncs have finished). */
async function quietCounts(db: Queryable): Promise<Record<string, number>> {
  const deadline = Date.now() + 90_000;
  let before = await countRows(db);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const now = await countRows(db);
    if (JSON.stringify(now) === JSON.stringify(before)) return now;
    assert.ok(Date.now() < deadline, 'the database never went quiet');
    before = now;
  }
}

for (const engine of engines) {
  // PostgreSQL's backups are encrypted, PGlite's are not: both paths run.
  const encrypted = engine === 'postgres';
  describe(`backups on ${engine}${encrypted ? ', encrypted' : ''}`, () => {
    let t: TestPlatform;
    let temporal: { client: Client; close(): Promise<void> };
    let first: Awaited<ReturnType<typeof backupAndWait>>;
    let countsAtBackup: Record<string, number>;
    const queue = () => t.env.MAINTENANCE_TASK_QUEUE!;

    before(async () => {
      // Keep one of each class: a second backup on the same day replaces the first.
      let at = performance.now();
      const lap = (what: string) => {
        console.log(`# ${engine}: ${what} in ${Math.round(performance.now() - at)} ms`);
        at = performance.now();
      };
      t = await startTestPlatform(engine, {
        env: { BACKUP_KEEP_DAILY: '1', BACKUP_KEEP_WEEKLY: '1', BACKUP_KEEP_MONTHLY: '1', ...(encrypted ? { BACKUP_ENCRYPTION_KEY: KEY } : {}) },
      });
      lap('platform');
      temporal = await connectClient(t.platform.config.TEMPORAL_ADDRESS);
      await loadGeneratedErp(t.platform.db, { orders: 1_000, seed: `backup-${engine}` }, engine === 'postgres' ? { copyUrl: t.env.DATABASE_URL } : {});
      lap('erp');
      const doc = await upload(t.api.url, `# 备份手册 ${engine}\n\nEvery backup is proven by a restore.`, 'backup-handbook.md');
      assert.equal((await waitForDocument(t.api.url, doc.body.id)).status, 'ready');
      lap('document');
      await t.platform.blobs.put('reports/r1/report.csv', Readable.from([Buffer.from('a,b\n1,2\n')]));
    });
    after(async () => {
      await temporal?.close();
      await t?.close();
    });

    test('a backup stores both parts with their sha256, a manifest, and is verified by a scratch restore', { timeout: 180_000 }, async () => {
      // The search sync the load and the upload started rewrites its tables for a while; a backup then is fine,
      // but the comparison below needs a still database.
      const quiet = performance.now();
      countsAtBackup = await quietCounts(t.platform.db);
      console.log(`# ${engine}: quiet after ${Math.round(performance.now() - quiet)} ms`);
      first = await backupAndWait(temporal.client, queue(), t.platform.db);
      assert.deepEqual(await countRows(t.platform.db), countsAtBackup, 'nothing changed during the backup');
      console.log(`# ${engine}: backup verified in ${first.ms} ms`);
      assert.equal(first.status, 'verified', JSON.stringify(first));
      const record = (await getBackup(t.platform.db, first.backupId))!;
      assert.equal(record.status, 'verified');
      assert.match(record.id, /^bk_\d{14}_[0-9a-f]{6}$/);
      assert.equal(record.retention, 'monthly');
      const manifest = record.manifest!;
      assert.equal(manifest.engine, engine);
      assert.equal(manifest.schemaVersion, (await t.platform.db.query<{ v: string }>('select max(name) as v from schema_migrations')).rows[0]!.v);
      assert.deepEqual(manifest.rowCounts, countsAtBackup, 'the counts are those of the dump instant');
      assert.equal(manifest.rowCounts.orders, 1_000);
      assert.equal(manifest.rowCounts.documents, 1);
      assert.equal(manifest.rowCounts.backups, undefined, 'the catalog is not in the dump');
      assert.ok(manifest.blobs.count >= 2, 'the upload and the report file');
      assert.deepEqual(manifest.encryption?.algorithm ?? null, encrypted ? 'aes-256-gcm' : null);
      console.log(`# ${engine}: parts ${manifest.parts.map((p) => `${p.name} ${p.rawBytes} -> ${p.bytes} bytes`).join(', ')}; verification ${record.verification?.durationMs} ms`);
      assert.deepEqual(record.verification?.problems, []);
      assert.equal(record.verification?.ok, true);
      // Each part as stored has the manifest's sha256 and size; encrypted ones carry our header, plain ones gzip's.
      for (const part of manifest.parts) {
        const bytes = await readFile(path.join(t.platform.config.BLOB_DIR, part.key));
        assert.equal(createHash('sha256').update(bytes).digest('hex'), part.sha256, part.name);
        assert.equal(bytes.length, part.bytes);
        assert.ok(part.rawBytes > 0);
        assert.equal(bytes.subarray(0, encrypted ? 8 : 2).toString('latin1'), encrypted ? 'AISTBK01' : '\x1f\x8b', part.name);
      }
      assert.deepEqual(await keysUnder(t.platform.blobs, `backups/${first.backupId}/`), [...manifest.parts.map((p) => p.key), `backups/${first.backupId}/manifest.json`].sort());
      const stored = JSON.parse(await readFile(path.join(t.platform.config.BLOB_DIR, 'backups', first.backupId, 'manifest.json'), 'utf8'));
      assert.deepEqual(stored, manifest);
      const listed = await listBackups(t.platform.db, { limit: 10 });
      assert.deepEqual(listed.items.map((b) => b.id), [first.backupId]);
    });

    test('a wrong token restores nothing; a confirmed restore puts the database and the blobs back', { timeout: 180_000 }, async () => {
      const workflows = createBackupWorkflows(temporal.client, queue(), t.platform.db);
      // Live changes after the backup: more rows, fewer rows, a changed blob, a new blob.
      await t.platform.db.query(`insert into knowledge_bases (id, name) values ('after-backup', 'made after the backup')`);
      await t.platform.db.query(`delete from orders where id in (select id from orders order by id limit 100)`);
      await t.platform.blobs.put('reports/r1/report.csv', Readable.from([Buffer.from('changed')]));
      await t.platform.blobs.put('reports/r2/new.csv', Readable.from([Buffer.from('new')]));
      const changed = await countRows(t.platform.db);

      const wrong = await outcomeOf(temporal.client, await workflows.restore(first.backupId, 'rt_not-the-token'));
      assert.equal(wrong.ok, false);
      assert.equal(wrong.type, 'E_RESTORE_TOKEN');
      assert.deepEqual(await countRows(t.platform.db), changed, 'nothing was restored');

      const expiring = (await issueRestoreToken(t.platform.db, first.backupId, 1))!;
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(await consumeRestoreToken(t.platform.db, first.backupId, expiring.token), false, 'an expired token is refused');
      const issued = (await issueRestoreToken(t.platform.db, first.backupId))!;
      assert.equal(await consumeRestoreToken(t.platform.db, first.backupId, expiring.token), false, 'a new token replaces the old');
      assert.ok(Date.parse(issued.expiresAt) > Date.now());
      assert.equal(await consumeRestoreToken(t.platform.db, first.backupId, issued.token), true, 'the API accepts it once');
      assert.equal(await consumeRestoreToken(t.platform.db, first.backupId, issued.token), false, 'and never again');
      const started = performance.now();
      const restore = await workflows.restore(first.backupId, issued.token);
      const done = await outcomeOf(temporal.client, restore);
      console.log(`# ${engine}: restore in ${Math.round(performance.now() - started)} ms`);
      assert.deepEqual(done, { ok: true });
      assert.deepEqual(await countRows(t.platform.db), countsAtBackup, 'every table has its rows of the backup');
      assert.equal((await t.platform.db.query(`select 1 from knowledge_bases where id = 'after-backup'`)).rows.length, 0);
      assert.equal(await readFile(path.join(t.platform.config.BLOB_DIR, 'reports/r1/report.csv'), 'utf8'), 'a,b\n1,2\n');
      assert.equal(await t.platform.blobs.exists('reports/r2/new.csv'), false, 'a blob newer than the backup is removed');
      // The catalog survived the restore and records it; the token cannot start a second one.
      const record = (await getBackup(t.platform.db, first.backupId))!;
      assert.equal(record.status, 'verified');
      assert.equal(record.lastRestore?.status, 'succeeded');
      assert.equal(record.lastRestore?.workflowId, restore);
      const again = await outcomeOf(temporal.client, await workflows.restore(first.backupId, issued.token));
      assert.equal(again.type, 'E_RESTORE_TOKEN');
      // The restored platform works: its document is still searchable by id through the API.
      const doc = (await t.platform.db.query<{ id: string }>('select id from documents')).rows[0]!;
      assert.equal((await fetch(`${t.api.url}/v1/documents/${doc.id}`)).status, 200);
    });

    test('retention: a second backup on the same day replaces the first, whose files go', { timeout: 180_000 }, async () => {
      const second = await backupAndWait(temporal.client, queue(), t.platform.db);
      assert.equal(second.status, 'verified', JSON.stringify(second));
      const old = (await getBackup(t.platform.db, first.backupId))!;
      assert.equal(old.status, 'deleted');
      assert.deepEqual(await keysUnder(t.platform.blobs, `backups/${first.backupId}/`), []);
      assert.equal((await getBackup(t.platform.db, second.backupId))!.retention, 'monthly');
      assert.equal(await issueRestoreToken(t.platform.db, first.backupId), undefined, 'a deleted backup cannot be restored');
    });

    test('a restore cut short (the dump ends midway) leaves the live database exactly as it was', { skip: engine !== 'postgres' && 'PGlite restores in one in-process transaction' }, async () => {
      const backup = (await listBackups(t.platform.db, { limit: 1 })).items[0]!;
      const part = backup.manifest!.parts.find((p) => p.name === 'database')!;
      const dump = await buffer(openPart(t.platform.blobs, part, keyFor(backup.manifest!, t.platform.config)));
      const before = await countRows(t.platform.db);
      await assert.rejects(
        restorePostgres(t.env.DATABASE_URL!, t.platform.config.BACKUP_PG_BIN_DIR, Readable.from([dump.subarray(0, Math.floor(dump.length * 0.6))])),
        { code: 'E_BACKUP_TOOL' },
      );
      assert.deepEqual(await countRows(t.platform.db), before, 'every table is there with its rows: the drops were rolled back');
    });

    test('a flipped byte in a stored part: restore refuses it untouched, re-verification fails it naming the part', { timeout: 120_000 }, async () => {
      const backup = (await listBackups(t.platform.db, { limit: 1 })).items[0]!;
      assert.equal(backup.status, 'verified');
      const part = backup.manifest!.parts.find((p) => p.name === 'database')!;
      const token = (await issueRestoreToken(t.platform.db, backup.id))!.token;
      await flipByte(t.platform.config.BLOB_DIR, part.key);
      const before = await countRows(t.platform.db);
      const workflows = createBackupWorkflows(temporal.client, queue(), t.platform.db);
      const restore = await outcomeOf(temporal.client, await workflows.restore(backup.id, token));
      const named = new RegExp(`^part database \\(${part.key.replaceAll('.', '\\.')}\\): sha256`);
      assert.equal(restore.type, 'E_BACKUP_CORRUPT');
      assert.match(restore.message!, named);
      assert.deepEqual(await countRows(t.platform.db), before, 'the live database was not touched');

      const verify = await workflows.verify(backup.id);
      assert.deepEqual(await temporal.client.workflow.getHandle(verify).result(), { backupId: backup.id, status: 'failed' });
      const record = (await getBackup(t.platform.db, backup.id))!;
      assert.equal(record.status, 'failed');
      assert.equal(record.error?.code, 'E_BACKUP_VERIFICATION');
      assert.match(record.error!.message, named);
      assert.deepEqual(record.verification?.problems.length, 1);
      assert.equal(record.lastRestore?.status, 'failed');
      assert.equal(record.lastRestore?.error?.code, 'E_BACKUP_CORRUPT');
      assert.equal(await issueRestoreToken(t.platform.db, backup.id), undefined, 'a failed backup cannot be restored');
    });
  });
}

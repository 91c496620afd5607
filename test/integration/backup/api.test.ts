/**
 * /v1/backups through the real API, worker, Temporal and PostgreSQL (AUTH on):
 * only the operator's key may use it; bad input is a 400 naming the field; a
 * backup is started, joined while open, verified and listed; and a restore needs
 * the token a first request hands out, uses it once, and brings back the data as
 * it was (rows and blobs written after the backup are gone). The engine itself
 * (both databases, faults, corruption) is test/integration/backup/engine.test.ts
 * and faults.test.ts; this suite is the API's, on PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { newBackupId } from '../../../lib/backup/ids.ts';
import { failBackup, insertBackup, recordRestore } from '../../../lib/backup/repository.ts';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.ts';

const operatorKey = `ak_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;
type Json = Record<string, any>;

describe('backups API', () => {
  let t: TestPlatform;
  let connection: Connection;
  let tenantAdminKey: string;
  const as = (key: string | undefined) => async (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    if (key) headers.set('authorization', `Bearer ${key}`);
    if (init.json !== undefined) headers.set('content-type', 'application/json');
    const response = await fetch(`${t.api.url}${path}`, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as Json };
  };
  const operator = as(operatorKey);
  const namesField = (answer: { status: number; body: Json }, field: string) => {
    assert.equal(answer.status, 400, JSON.stringify(answer.body));
    assert.ok(
      (answer.body.errors as { field: string }[]).some((e) => e.field === field),
      `expected a problem naming ${field}: ${JSON.stringify(answer.body)}`,
    );
  };
  async function waitFinished(id: string, timeoutMs = 90_000): Promise<Json> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await operator(`/v1/backups/${id}`);
      if (!['running', 'verifying'].includes(body.status)) {
        // Retention is the run's last step, after the row says `verified`: the run's end is the backup's end.
        await new Client({ connection }).workflow.getHandle(body.workflowId).result();
        return (await operator(`/v1/backups/${id}`)).body;
      }
      if (Date.now() > deadline) throw new Error(`backup ${id} still ${body.status} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  before(async () => {
    t = await startTestPlatform('postgres', { env: { AUTH: 'on', ADMIN_API_KEY: operatorKey } });
    connection = await Connection.connect({ address: t.platform.config.TEMPORAL_ADDRESS });
    const created = await operator('/v1/api-keys', { method: 'POST', json: { name: 'tenant admin', scopes: ['admin'] } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    tenantAdminKey = created.body.key;
  });
  after(async () => {
    await connection?.close();
    await t?.close();
  });

  test('only the operator (scope `tenants`) may: no key is a 401, a tenant admin a 403 on every route', async () => {
    const id = newBackupId();
    const routes: [string, string][] = [
      ['POST', '/v1/backups'],
      ['GET', '/v1/backups'],
      ['GET', `/v1/backups/${id}`],
      ['POST', `/v1/backups/${id}/restore`],
    ];
    for (const [method, path] of routes) {
      assert.equal((await as(undefined)(path, { method })).status, 401, `${method} ${path} without a key`);
      const refused = await as(tenantAdminKey)(path, { method });
      assert.equal(refused.status, 403, `${method} ${path} as a tenant admin`);
      assert.match(refused.body.detail, /tenants/);
    }
    const { rows } = await t.platform.db.query<{ n: number }>('select count(*)::int as n from backups');
    assert.equal(rows[0]!.n, 0, 'nothing was started');
  });

  test('bad input is a 400 naming the field, unknown backups a 404', async () => {
    namesField(await operator('/v1/backups', { method: 'POST', json: { retention: 'forever' } }), 'retention');
    namesField(await operator('/v1/backups', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":' }), '(body)');
    namesField(await operator('/v1/backups?limit=0'), 'limit');
    namesField(await operator('/v1/backups?limit=1&cursor=abc.def'), 'cursor');
    namesField(await operator('/v1/backups?colour=red'), 'colour');
    namesField(await operator('/v1/backups/not-a-backup'), 'id');
    namesField(await operator('/v1/backups/bk_1/restore', { method: 'POST' }), 'id');
    const id = newBackupId();
    namesField(await operator(`/v1/backups/${id}/restore`, { method: 'POST', json: { confirmationToken: 'x', force: true } }), 'force');
    namesField(await operator(`/v1/backups/${id}/restore`, { method: 'POST', json: { confirmationToken: 42 } }), 'confirmationToken');
    const missing = await operator(`/v1/backups/${id}`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'E_BACKUP_NOT_FOUND');
    assert.equal((await operator(`/v1/backups/${id}/restore`, { method: 'POST' })).status, 404);
    const { rows } = await t.platform.db.query<{ n: number }>('select count(*)::int as n from backups');
    assert.equal(rows[0]!.n, 0, 'nothing was started');
  });

  let backup: Json;

  test('a backup: 202, joined while open, then verified with its parts, row counts and verification; listed in pages', async () => {
    // A row left `running` by a run that no longer exists is not joined (its sweep marks it failed later).
    const stale = newBackupId(new Date(Date.now() - 60_000));
    await insertBackup(t.platform.db, { id: stale, trigger: { kind: 'manual' }, workflowId: `backup-${stale}` });
    await t.platform.blobs.put('test-backup/before.txt', Readable.from([Buffer.from('in the backup')]));

    const started = await operator('/v1/backups', { method: 'POST' });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.match(started.body.id, /^bk_\d{14}_[0-9a-f]{6}$/);
    assert.notEqual(started.body.id, stale);
    assert.equal(started.body.status, 'running');
    assert.equal(started.body.workflowId, `backup-${started.body.id}`);
    assert.equal(started.headers.get('location'), `/v1/backups/${started.body.id}`);
    const again = await operator('/v1/backups', { method: 'POST', json: {} });
    assert.equal(again.status, 202);
    assert.equal(again.body.id, started.body.id, 'a second POST while the first runs joins it');

    backup = await waitFinished(started.body.id);
    assert.equal(backup.status, 'verified', JSON.stringify(backup));
    assert.deepEqual(backup.trigger, { kind: 'manual' });
    assert.equal(backup.engine, 'postgres');
    assert.deepEqual(backup.parts.map((p: Json) => p.name).sort(), ['blobs', 'database']);
    for (const part of backup.parts) {
      assert.match(part.sha256, /^[0-9a-f]{64}$/);
      assert.ok(part.bytes > 0 && part.rawBytes > 0, JSON.stringify(part));
      assert.equal(part.key, undefined, 'blob keys are not shown');
    }
    assert.ok(backup.rowCounts.api_keys >= 2, JSON.stringify(backup.rowCounts));
    assert.equal(backup.rowCounts.backups, undefined, 'the catalog is not in the dump');
    assert.ok(backup.blobs.count >= 1);
    assert.equal(backup.verification.ok, true);
    assert.deepEqual(backup.verification.problems, []);
    // The first backup of its day (week, month) is kept as such; which class depends on today's date.
    assert.ok(['daily', 'weekly', 'monthly'].includes(backup.retention), backup.retention);
    assert.equal(backup.error, null);
    assert.ok(backup.finishedAt);

    // Newest first, one per page, with signed cursors: the backup, then the stale row (left to the engine's sweep).
    const seen: Json[] = [];
    let cursor: string | null = null;
    do {
      const page = await operator(`/v1/backups?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      assert.ok(page.body.items.length <= 1);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor && seen.length < 10);
    assert.deepEqual(seen.map((b) => b.id), [started.body.id, stale]);
  });

  test('restore: 409 unless verified; 428 with a token; only the latest token, once; data written since is gone', async () => {
    const failed = newBackupId();
    await insertBackup(t.platform.db, { id: failed, trigger: { kind: 'manual' }, workflowId: `backup-${failed}` });
    await failBackup(t.platform.db, failed, { code: 'E_TEST', message: 'made to fail by the test' });
    const notRestorable = await operator(`/v1/backups/${failed}/restore`, { method: 'POST' });
    assert.equal(notRestorable.status, 409);
    assert.equal(notRestorable.body.code, 'E_BACKUP_NOT_RESTORABLE');

    // One at a time: a restore whose run is open blocks another restore and a backup. (Its run waits on a queue no worker polls.)
    const blocker = await new Client({ connection }).workflow.start('restorePlatform', {
      taskQueue: `nobody-${randomUUID()}`,
      workflowId: `restore-${failed}-blocker-${randomUUID()}`,
      args: [{ backupId: failed, confirmationToken: 'none' }],
    });
    await recordRestore(t.platform.db, failed, { workflowId: blocker.workflowId, status: 'running', startedAt: new Date().toISOString() });
    for (const busy of [await operator(`/v1/backups/${backup.id}/restore`, { method: 'POST' }), await operator('/v1/backups', { method: 'POST' })]) {
      assert.equal(busy.status, 409, JSON.stringify(busy.body));
      assert.equal(busy.body.code, 'E_RESTORE_RUNNING');
    }
    await blocker.terminate('the test is done with it');
    // Its row still says `running`, but its run has ended: it no longer blocks anything (below).

    // Written after the backup: a restore takes these away.
    const kb = await operator('/v1/knowledge-bases', { method: 'POST', json: { id: 'after-backup', name: 'after the backup' } });
    assert.equal(kb.status, 201, JSON.stringify(kb.body));
    await t.platform.blobs.put('test-backup/after.txt', Readable.from([Buffer.from('not in the backup')]));

    const ask = () => operator(`/v1/backups/${backup.id}/restore`, { method: 'POST' });
    const first = await ask();
    assert.equal(first.status, 428, JSON.stringify(first.body));
    assert.match(first.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(first.body.code, 'E_CONFIRMATION_REQUIRED');
    assert.match(first.body.confirmationToken, /^\S{16,200}$/);
    assert.ok(Date.parse(first.body.expiresAt) > Date.now(), 'the token expires in the future');
    assert.ok(first.body.overwrites.some((line: string) => /every tenant/.test(line)), JSON.stringify(first.body.overwrites));
    const second = await ask();
    assert.equal(second.status, 428);
    assert.notEqual(second.body.confirmationToken, first.body.confirmationToken);

    const restore = (confirmationToken: string) => operator(`/v1/backups/${backup.id}/restore`, { method: 'POST', json: { confirmationToken } });
    namesField(await restore(first.body.confirmationToken), 'confirmationToken'); // replaced by the second
    namesField(await restore('rt_not-a-token-we-issued'), 'confirmationToken');
    const accepted = await restore(second.body.confirmationToken);
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    assert.equal(accepted.body.id, backup.id);
    assert.equal(accepted.body.status, 'restoring');
    assert.match(accepted.body.workflowId, new RegExp(`^restore-${backup.id}-`));
    namesField(await restore(second.body.confirmationToken), 'confirmationToken'); // single use

    await new Client({ connection }).workflow.getHandle(accepted.body.workflowId).result();
    const restored = await operator(`/v1/backups/${backup.id}`);
    assert.equal(restored.body.status, 'verified', 'the catalog survives the restore');
    assert.equal(restored.body.lastRestore.workflowId, accepted.body.workflowId);
    assert.equal(restored.body.lastRestore.status, 'succeeded', JSON.stringify(restored.body.lastRestore));
    assert.equal((await operator('/v1/knowledge-bases/after-backup')).status, 404, 'the knowledge base made after the backup is gone');
    assert.equal(await t.platform.blobs.exists('test-backup/after.txt'), false, 'the blob written after the backup is gone');
    assert.equal(await t.platform.blobs.exists('test-backup/before.txt'), true);
    // The operator's key was in the backup, so it still works; so does the list.
    assert.equal((await operator('/v1/backups?limit=5')).status, 200);
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { createKnowledgeBaseSyncWorkflows } from '../../../client/kb-sync.ts';
import { retentionPolicyEn, travelPolicyZh } from '../../fixtures/corpus.ts';
import { spawnWorkerProcess, startTestPlatform, type TestPlatform } from '../../helpers/platform.ts';
import { documentsOf, getJson, git, postJson, runsOf, waitForSync } from './helpers.ts';

const killed = async (worker: ChildProcess) => {
  worker.kill('SIGKILL');
  if (worker.exitCode === null) await new Promise((resolve) => worker.once('exit', resolve));
};

/**
 * Knowledge-base sync through the real API, Temporal, PostgreSQL, model and worker
 * process (one platform for the whole file: the worker process is what the fault
 * test kills): a directory and a Git source changed between syncs, then a sync
 * whose worker dies halfway. The repositories' SQL runs on both engines in
 * repository.test.ts.
 */
describe('knowledge-base sync', () => {
  let t: TestPlatform;
  let worker: ChildProcess | undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kb-sync-'));
  const root = path.join(dir, 'sources');
  const write = (relative: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    writeFileSync(path.join(root, relative), text);
  };
  const unique = (label: string) => `# ${label}\n\n${randomUUID()}\n\n${travelPolicyZh}\n\n${retentionPolicyEn}\n`;
  const sync = async (kb: string) => {
    const started = await postJson(t.api.url, `/v1/knowledge-bases/${kb}/sync`, {});
    assert.equal(started.status, 202, JSON.stringify(started.body));
    return started.body as { id: string; workflowId: string; status: string };
  };

  before(async () => {
    mkdirSync(root, { recursive: true });
    t = await startTestPlatform('postgres', {
      withWorker: false,
      env: { KB_SOURCE_ROOTS: root, KB_SYNC_CACHE_DIR: path.join(dir, 'cache'), EMBEDDING_THREADS: '1' },
    });
    worker = spawnWorkerProcess(t.env);
  });
  after(async () => {
    if (worker) await killed(worker);
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('sources: added once, checked against KB_SOURCE_ROOTS, bad input named', async () => {
    assert.equal((await postJson(t.api.url, '/v1/knowledge-bases', { id: 'handbook', name: 'Handbook' })).status, 201);
    write('handbook/readme.md', unique('readme'));
    mkdirSync(path.join(dir, 'outside'), { recursive: true });
    const added = await postJson(t.api.url, '/v1/knowledge-bases/handbook/sources', { type: 'directory', path: 'handbook' });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.deepEqual([added.body.type, added.body.path, added.body.fileCount], ['directory', path.join(root, 'handbook'), 0]);
    const again = await postJson(t.api.url, '/v1/knowledge-bases/handbook/sources', { type: 'directory', path: path.join(root, 'handbook/') });
    assert.deepEqual([again.status, again.body.id], [200, added.body.id]);

    const refused: [unknown, string][] = [
      [{ type: 'directory', path: path.join(dir, 'outside') }, 'path'],
      [{ type: 'directory', path: 'handbook/../../outside' }, 'path'],
      [{ type: 'directory', path: 'no-such-dir' }, 'path'],
      [{ type: 'git', url: 'http://example.com/repo.git' }, 'url'],
      [{ type: 'git', url: 'ext::sh -c touch% /tmp/pwned' }, 'url'],
      [{ type: 'git', url: 'https://example.com/r.git', ref: '--upload-pack=evil' }, 'ref'],
      [{ type: 'directory', path: 'handbook', extra: 1 }, '(body)'],
      [{ type: 'ftp', path: 'x' }, 'type'],
    ];
    for (const [body, field] of refused) {
      const answer = await postJson(t.api.url, '/v1/knowledge-bases/handbook/sources', body);
      assert.equal(answer.status, 400, `${JSON.stringify(body)} → ${JSON.stringify(answer.body)}`);
      assert.ok(answer.body.errors.some((e: { field: string }) => e.field === field), `${JSON.stringify(body)} names ${field}: ${JSON.stringify(answer.body.errors)}`);
    }
    assert.equal((await postJson(t.api.url, '/v1/knowledge-bases/nope/sources', { type: 'directory', path: 'handbook' })).status, 404);
    assert.equal((await postJson(t.api.url, '/v1/knowledge-bases/nope/sync', {})).status, 404);
    assert.equal((await postJson(t.api.url, '/v1/knowledge-bases/default/sync', {})).body.code, 'E_KB_NO_SOURCES');
    const never = await getJson(t.api.url, '/v1/knowledge-bases/handbook/sync');
    assert.deepEqual([never.status, never.body.status, never.body.id, never.body.workflowId], [200, 'never', null, 'kb-sync-default-handbook']);
    assert.equal((await getJson(t.api.url, '/v1/knowledge-bases/nope/sync')).status, 404);
    const listed = await getJson(t.api.url, '/v1/knowledge-bases/handbook/sources');
    assert.deepEqual(listed.body.items.map((s: { id: string }) => s.id), [added.body.id]);
  });

  test('a directory: first sync, then a rename, a change, a deletion and a new file propagate', { timeout: 300_000 }, async () => {
    write('handbook/guides/travel.md', unique('travel'));
    write('handbook/notes.txt', unique('notes'));
    write('handbook/old.html', `<html><head><title>Old</title></head><body><p>${randomUUID()} ${retentionPolicyEn}</p></body></html>`);
    write('handbook/blank.md', '   \n\n');
    write('handbook/.hidden.md', unique('hidden'));
    write('handbook/tool.exe', 'MZ binary');

    const first = await sync('handbook');
    const joined = await sync('handbook');
    assert.deepEqual([joined.id, joined.workflowId], [first.id, first.workflowId], 'a second request joins the open sync');
    const done = await waitForSync(t.api.url, 'handbook', first.id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done));
    assert.deepEqual(done.counts, { scanned: 5, added: 4, changed: 0, renamed: 0, removed: 0, unchanged: 0, failed: 1 });
    let docs = await documentsOf(t.api.url, 'handbook');
    assert.deepEqual([...docs.keys()].sort(), ['notes.txt', 'old.html', 'readme.md', 'travel.md']);
    assert.ok([...docs.values()].every((d) => d.status === 'ready'), JSON.stringify([...docs.values()].map((d) => d.status)));
    const travel = docs.get('travel.md')!;
    assert.equal(travel.source, `${path.join(root, 'handbook')}:guides/travel.md`);
    const before = { notes: docs.get('notes.txt')!.id, old: docs.get('old.html')!.id };
    const source = (await getJson(t.api.url, '/v1/knowledge-bases/handbook/sources')).body.items[0];
    assert.equal(source.fileCount, 5, 'the checkpoint holds every file it saw, the failed one too');
    assert.ok(source.lastSyncedAt);

    mkdirSync(path.join(root, 'handbook/guides/2026'));
    renameSync(path.join(root, 'handbook/guides/travel.md'), path.join(root, 'handbook/guides/2026/travel-policy.md'));
    write('handbook/notes.txt', unique('notes, second edition'));
    unlinkSync(path.join(root, 'handbook/old.html'));
    write('handbook/new.md', unique('new'));

    const second = await sync('handbook');
    assert.notEqual(second.id, first.id);
    const done2 = await waitForSync(t.api.url, 'handbook', second.id);
    assert.deepEqual(done2.counts, { scanned: 5, added: 1, changed: 1, renamed: 1, removed: 1, unchanged: 2, failed: 0 });
    docs = await documentsOf(t.api.url, 'handbook');
    assert.deepEqual([...docs.keys()].sort(), ['new.md', 'notes.txt', 'readme.md', 'travel-policy.md']);
    const moved = docs.get('travel-policy.md')!;
    assert.equal(moved.id, travel.id, 'a renamed file keeps its document');
    assert.equal(moved.source, `${path.join(root, 'handbook')}:guides/2026/travel-policy.md`);
    assert.equal(await runsOf(t.platform.config.TEMPORAL_ADDRESS, `doc-${travel.id}`, t.env.INGEST_TASK_QUEUE!), 1, 'the renamed document was not ingested again');
    assert.notEqual(docs.get('notes.txt')!.id, before.notes);
    for (const gone of [before.notes, before.old]) assert.equal((await getJson(t.api.url, `/v1/documents/${gone}`)).status, 404, `${gone} was deleted`);
    assert.equal((await getJson(t.api.url, `/v1/documents/${docs.get('new.md')!.id}`)).body.status, 'ready', 'a synced document reads by id');

    const third = await sync('handbook');
    const done3 = await waitForSync(t.api.url, 'handbook', third.id);
    assert.deepEqual(done3.counts, { scanned: 5, added: 0, changed: 0, renamed: 0, removed: 0, unchanged: 5, failed: 0 });
  });

  test('a Git repository: commit, sync, then rename + delete + change in a new commit, sync', { timeout: 300_000 }, async () => {
    const bare = path.join(root, 'repos', 'handbook.git');
    const work = path.join(dir, 'work');
    mkdirSync(bare, { recursive: true });
    git(bare, 'init', '--bare', '--quiet');
    git(dir, 'clone', '--quiet', bare, work);
    writeFileSync(path.join(work, 'a.md'), unique('a'));
    writeFileSync(path.join(work, 'b.md'), unique('b'));
    mkdirSync(path.join(work, 'c'));
    writeFileSync(path.join(work, 'c', 'd.txt'), unique('d'));
    git(work, 'add', '.');
    git(work, 'commit', '--quiet', '-m', 'first');
    git(work, 'push', '--quiet', 'origin', 'HEAD:main');

    assert.equal((await postJson(t.api.url, '/v1/knowledge-bases', { id: 'git-kb', name: 'From Git' })).status, 201);
    const added = await postJson(t.api.url, '/v1/knowledge-bases/git-kb/sources', { type: 'git', url: `file://${bare}`, ref: 'main' });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const first = await waitForSync(t.api.url, 'git-kb', (await sync('git-kb')).id);
    assert.deepEqual([first.status, first.counts.added, first.counts.failed], ['succeeded', 3, 0], JSON.stringify(first));
    const docs = await documentsOf(t.api.url, 'git-kb');
    const aId = docs.get('a.md')!.id;

    git(work, 'mv', 'a.md', 'renamed-a.md');
    git(work, 'rm', '--quiet', 'b.md');
    writeFileSync(path.join(work, 'c', 'd.txt'), unique('d, revised'));
    git(work, 'commit', '--quiet', '-am', 'second');
    git(work, 'push', '--quiet', 'origin', 'HEAD:main');
    const head = git(work, 'rev-parse', 'HEAD').trim();

    const second = await waitForSync(t.api.url, 'git-kb', (await sync('git-kb')).id);
    assert.deepEqual(second.counts, { scanned: 2, added: 0, changed: 1, renamed: 1, removed: 1, unchanged: 0, failed: 0 });
    const after = await documentsOf(t.api.url, 'git-kb');
    assert.deepEqual([...after.keys()].sort(), ['d.txt', 'renamed-a.md']);
    assert.equal(after.get('renamed-a.md')!.id, aId);
    assert.notEqual(after.get('d.txt')!.id, docs.get('d.txt')!.id);
    const source = (await getJson(t.api.url, '/v1/knowledge-bases/git-kb/sources')).body.items[0];
    assert.deepEqual([source.lastCommit, source.fileCount], [head, 2]);

    // As a Schedule starts it: under its own workflow id, with no API row. The sync runs under the knowledge base's id.
    const connection = await Connection.connect({ address: t.platform.config.TEMPORAL_ADDRESS });
    try {
      const scheduled = await new Client({ connection }).workflow.execute('syncKnowledgeBase', {
        taskQueue: t.env.MAINTENANCE_TASK_QUEUE!,
        workflowId: `schedule-like-${randomUUID()}`,
        args: [{ tenant: 'default', knowledgeBaseId: 'git-kb' }],
      });
      assert.deepEqual([scheduled.done, scheduled.unchanged, scheduled.added, scheduled.changed], [true, 2, 0, 0], 'the same commit: nothing to do');
    } finally {
      await connection.close();
    }
    const third = await getJson(t.api.url, '/v1/knowledge-bases/git-kb/sync');
    assert.deepEqual([third.body.status, third.body.workflowId], ['succeeded', 'kb-sync-default-git-kb']);
    assert.notEqual(third.body.id, second.id);

    // A source that cannot be read fails the sync, names why, and leaves the other source synced.
    const bad = await postJson(t.api.url, '/v1/knowledge-bases/git-kb/sources', { type: 'git', url: bare, ref: 'no-such-branch' });
    assert.equal(bad.status, 201);
    const fourth = await waitForSync(t.api.url, 'git-kb', (await sync('git-kb')).id);
    assert.deepEqual([fourth.status, fourth.error?.code, fourth.counts.unchanged], ['failed', 'E_KB_SOURCE_UNREADABLE', 2], JSON.stringify(fourth));
    const sources = (await getJson(t.api.url, '/v1/knowledge-bases/git-kb/sources')).body.items;
    assert.deepEqual(sources.map((s: Record<string, any>) => [s.ref, s.lastError?.code ?? null]), [['main', null], ['no-such-branch', 'E_KB_SOURCE_UNREADABLE']]);
    assert.equal((await fetch(`${t.api.url}/v1/knowledge-bases/git-kb/sources/${bad.body.id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await fetch(`${t.api.url}/v1/knowledge-bases/git-kb/sources/${bad.body.id}`, { method: 'DELETE' })).status, 404);
    assert.equal((await documentsOf(t.api.url, 'git-kb')).size, 2, 'removing a source keeps its documents');
  });

  test('a worker killed with SIGKILL halfway through a sync of 20 files: after a restart every file is ingested exactly once', { timeout: 400_000 }, async () => {
    mkdirSync(path.join(root, 'policies'), { recursive: true });
    const files = Array.from({ length: 20 }, (_, i) => `policies/${String(i).padStart(2, '0')}.md`);
    for (const [i, file] of files.entries()) {
      writeFileSync(path.join(root, file), `# 第${i}号制度 ${randomUUID()}\n\n${i % 2 ? travelPolicyZh : retentionPolicyEn}\n`);
    }
    assert.equal((await postJson(t.api.url, '/v1/knowledge-bases', { id: 'crash-kb', name: 'Crash' })).status, 201);
    assert.equal((await postJson(t.api.url, '/v1/knowledge-bases/crash-kb/sources', { type: 'directory', path: 'policies' })).status, 201);

    const connection = await Connection.connect({ address: t.platform.config.TEMPORAL_ADDRESS });
    const client = new Client({ connection });
    try {
      // Started as a Schedule starts it (no API row): small batches, and continue-as-new every 2 batches.
      const workflowId = await createKnowledgeBaseSyncWorkflows(client, t.env.MAINTENANCE_TASK_QUEUE!).start('default', 'crash-kb', {
        batchSize: 4,
        batchesPerRun: 2,
      });
      const documents = async () =>
        (await t.platform.db.query<{ id: string; status: string }>(`select id, status from documents where knowledge_base = 'crash-kb'`)).rows;

      // Kill once some files are documents, but not all.
      const deadline = Date.now() + 240_000;
      let before = await documents();
      while (!(before.filter((d) => d.status === 'ready').length >= 6 && before.length < 20)) {
        assert.ok(Date.now() < deadline, `never caught the sync halfway: ${before.length} documents`);
        await new Promise((r) => setTimeout(r, 50));
        before = await documents();
      }
      // The progress query, as the Web UI and the CLI ask it (the API shows it too while it answers).
      const progress = await client.workflow.getHandle(workflowId).query<Record<string, any>>('progress');
      assert.deepEqual([progress.scanned, progress.done], [20, false], JSON.stringify(progress));
      // `starting` when the query meets a run that has just continued as new.
      assert.ok(['applying', 'starting'].includes(progress.phase), progress.phase);
      await killed(worker!);
      const atKill = await documents();
      console.log(`kill landed with ${atKill.length} of 20 documents filed, ${atKill.filter((d) => d.status === 'ready').length} ready`);
      assert.ok(atKill.length < 20, 'the kill landed before the sync was done');

      worker = spawnWorkerProcess(t.env);
      const result = await client.workflow.getHandle(workflowId).result();
      assert.equal(result.done, true);
      assert.deepEqual(
        { scanned: result.scanned, added: result.added, failed: result.failed, changed: result.changed, removed: result.removed },
        { scanned: 20, added: 20, failed: 0, changed: 0, removed: 0 },
      );

      const final = await documents();
      assert.equal(final.length, 20, 'one document per file');
      assert.equal(new Set(final.map((d) => d.id)).size, 20);
      assert.ok(final.every((d) => d.status === 'ready'), JSON.stringify(final.map((d) => d.status)));
      for (const { id } of final) {
        assert.equal(await runsOf(t.platform.config.TEMPORAL_ADDRESS, `doc-${id}`, t.env.INGEST_TASK_QUEUE!), 1, `document ${id} was ingested once`);
      }
      const { rows: checkpoint } = await t.platform.db.query<{ path: string; document_id: string; status: string }>(
        `select f.path, f.document_id, f.status from kb_source_files f join kb_sources s on s.id = f.source_id where s.knowledge_base = 'crash-kb' order by f.path`,
      );
      assert.deepEqual(checkpoint.map((r) => r.path), files.map((f) => f.slice('policies/'.length)));
      assert.deepEqual(new Set(checkpoint.map((r) => r.document_id)), new Set(final.map((d) => d.id)));
      const { rows: plans } = await t.platform.db.query(`select 1 from kb_sync_plan p join kb_sources s on s.id = p.source_id where s.knowledge_base = 'crash-kb'`);
      assert.equal(plans.length, 0, 'the applied plan is dropped');

      // The chain continued as new along the way, and the API shows the run.
      let runs = 0;
      for await (const _ of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs++;
      assert.ok(runs >= 3, `continue-as-new kept the histories short (${runs} runs)`);
      const view = await getJson(t.api.url, '/v1/knowledge-bases/crash-kb/sync');
      assert.deepEqual([view.body.status, view.body.counts.added], ['succeeded', 20]);
    } finally {
      await connection.close();
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../../lib/db/index.ts';
import { commitOutcomes, readPlanBatch, savePlan } from '../../../lib/kb-sync/plan-repository.ts';
import { beginSyncRun, finishSyncRun, latestSyncRun, openSyncRun } from '../../../lib/kb-sync/runs.ts';
import { addKnowledgeBaseSource, documentStillReferenced, loadCheckpoint } from '../../../lib/kb-sync/sources.ts';
import { emptyCounts, type PlanStep, type ScannedFile } from '../../../lib/kb-sync/types.ts';
import { createKnowledgeBase } from '../../../lib/knowledge-bases/repository.ts';
import { engines, openTestDatabase } from '../../helpers/platform.ts';

/** The sync's tables (migration 012) and their repositories, on each engine: the SQL must mean the same on both. */
for (const engine of engines) {
  describe(`knowledge-base sync tables on ${engine}`, () => {
    let db: Database;
    let close: () => Promise<void>;
    before(async () => {
      ({ db, close } = await openTestDatabase(engine));
      await createKnowledgeBase(db, 'default', { id: 'kb', name: 'KB' });
    });
    after(() => close?.());

    test('a source is added once per spec; an unknown knowledge base is refused', async () => {
      const first = await addKnowledgeBaseSource(db, 'default', 'kb', { type: 'directory', path: '/srv/docs/' });
      const again = await addKnowledgeBaseSource(db, 'default', 'kb', { type: 'directory', path: '/srv/docs' });
      assert.deepEqual([first.created, again.created, again.source.id], [true, false, first.source.id]);
      assert.deepEqual(again.source.spec, { type: 'directory', path: '/srv/docs' });
      const git = await addKnowledgeBaseSource(db, 'default', 'kb', { type: 'git', url: 'https://example.com/h.git/', ref: 'main' });
      assert.deepEqual(git.source.spec, { type: 'git', url: 'https://example.com/h.git', ref: 'main' });
      await assert.rejects(addKnowledgeBaseSource(db, 'default', 'nope', { type: 'directory', path: '/x' }), { code: 'E_KNOWLEDGE_BASE_NOT_FOUND' });
    });

    test('a plan round-trips in order and its outcomes become the checkpoint in one transaction', async () => {
      const { source } = await addKnowledgeBaseSource(db, 'default', 'kb', { type: 'directory', path: '/srv/plan' });
      const f = (p: string, sha: string): ScannedFile => ({ path: p, size: 3, mtimeMs: 1_700_000_000_123, gitBlob: null, sha256: sha });
      await commitOutcomes(db, source.id, [
        { action: 'upsert', path: 'old.md', changed: false, file: f('old.md', 'a'), documentId: 'doc-a', status: 'synced' },
        { action: 'upsert', path: 'gone.md', changed: false, file: f('gone.md', 'g'), documentId: 'doc-g', status: 'synced' },
      ]);
      const steps: PlanStep[] = [
        { action: 'rename', path: 'new.md', oldPath: 'old.md', documentId: 'doc-a', file: f('new.md', 'a') },
        { action: 'upsert', path: 'bad.pdf', changed: true, file: f('bad.pdf', 'b') },
        { action: 'forget', path: 'gone.md' },
        { action: 'release', documentId: 'doc-g' },
      ];
      await savePlan(db, 'scan-1', source.id, steps);
      await savePlan(db, 'scan-2', source.id, steps); // a retried scan replaces the plan
      assert.deepEqual(await readPlanBatch(db, 'scan-1', 0, 10), []);
      const read = await readPlanBatch(db, 'scan-2', 0, 10);
      assert.deepEqual(read.map((r) => r.seq), [1, 2, 3, 4]);
      assert.deepEqual(read.map((r) => r.step), steps);
      assert.deepEqual((await readPlanBatch(db, 'scan-2', 2, 1)).map((r) => r.seq), [3]);

      await commitOutcomes(db, source.id, [
        { action: 'rename', path: 'new.md', oldPath: 'old.md', file: f('new.md', 'a') },
        { action: 'upsert', path: 'bad.pdf', changed: true, file: f('bad.pdf', 'b'), documentId: null, status: 'failed', error: { code: 'E_UNSUPPORTED_TYPE', message: 'no' } },
        { action: 'forget', path: 'gone.md' },
      ]);
      const checkpoint = await loadCheckpoint(db, source.id);
      assert.deepEqual(
        checkpoint.map((c) => [c.path, c.documentId, c.status, c.mtimeMs, c.sha256]),
        [
          ['bad.pdf', null, 'failed', 1_700_000_000_123, 'b'],
          ['new.md', 'doc-a', 'synced', 1_700_000_000_123, 'a'],
        ],
      );
      assert.equal(await documentStillReferenced(db, 'default', 'kb', 'doc-a'), true);
      assert.equal(await documentStillReferenced(db, 'default', 'kb', 'doc-g'), false);
    });

    test('one open run per knowledge base: a second request and the workflow take up the same row', async () => {
      const first = await openSyncRun(db, { tenant: 'default', knowledgeBase: 'kb', workflowId: 'kb-sync-default-kb' });
      const second = await openSyncRun(db, { tenant: 'default', knowledgeBase: 'kb', workflowId: 'kb-sync-default-kb' });
      assert.deepEqual([first.created, second.created, second.run.id, first.run.status], [true, false, first.run.id, 'queued']);
      const begun = await beginSyncRun(db, { tenant: 'default', knowledgeBase: 'kb', workflowId: 'kb-sync-default-kb', proposedId: 'sync_000000000000000000000000' });
      assert.deepEqual([begun.id, begun.status], [first.run.id, 'running']);
      await finishSyncRun(db, begun.id, { status: 'succeeded', counts: { ...emptyCounts(), added: 3 } });
      const latest = await latestSyncRun(db, 'default', 'kb');
      assert.deepEqual([latest?.status, latest?.counts.added, latest?.finishedAt !== null], ['succeeded', 3, true]);
      const next = await openSyncRun(db, { tenant: 'default', knowledgeBase: 'kb', workflowId: 'kb-sync-default-kb' });
      assert.equal(next.created, true);
      assert.notEqual(next.run.id, first.run.id);
    });
  });
}

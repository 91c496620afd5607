import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { walkDirectory } from '../../../lib/kb-sync/directory.ts';
import { isSyncedPath, resolveInsideRoots, sourceRoots } from '../../../lib/kb-sync/paths.ts';
import { planSync } from '../../../lib/kb-sync/plan.ts';
import type { CheckpointFile, ScannedFile } from '../../../lib/kb-sync/types.ts';

const file = (p: string, sha: string): ScannedFile => ({ path: p, size: sha.length, mtimeMs: 1, gitBlob: null, sha256: sha });
const synced = (p: string, sha: string, doc = `doc-${sha}`): CheckpointFile => ({ ...file(p, sha), documentId: doc, status: 'synced' });

describe('planSync', () => {
  test('a first sync upserts every file and releases nothing', () => {
    const plan = planSync([], [file('a.md', 'x'), file('b.md', 'y')]);
    assert.deepEqual(plan.steps.map((s) => [s.action, 'path' in s ? s.path : '']), [['upsert', 'a.md'], ['upsert', 'b.md']]);
    assert.equal(plan.unchanged, 0);
  });

  test('rename, change, delete and an unchanged file, in the order they must be applied', () => {
    const before = [synced('old.md', 'r'), synced('c.md', 'c1'), synced('gone.md', 'g'), synced('same.md', 's')];
    const now = [file('new.md', 'r'), file('c.md', 'c2'), file('same.md', 's')];
    const plan = planSync(before, now);
    assert.deepEqual(plan.steps, [
      { action: 'rename', path: 'new.md', oldPath: 'old.md', documentId: 'doc-r', file: now[0] },
      { action: 'upsert', path: 'c.md', changed: true, file: now[1] },
      { action: 'forget', path: 'gone.md' },
      { action: 'release', documentId: 'doc-g' },
      { action: 'release', documentId: 'doc-c1' },
    ]);
    assert.equal(plan.unchanged, 1);
  });

  test('content still present at another path is not released; two gone copies release it once', () => {
    const kept = planSync([synced('a.md', 'x'), synced('b.md', 'x')], [file('b.md', 'x')]);
    assert.deepEqual(kept.steps, [{ action: 'forget', path: 'a.md' }]);
    const both = planSync([synced('a.md', 'x'), synced('b.md', 'x')], []);
    assert.deepEqual(both.steps.filter((s) => s.action === 'release'), [{ action: 'release', documentId: 'doc-x' }]);
  });

  test('a file asking for a retry is planned again even when unchanged', () => {
    const plan = planSync([{ ...synced('a.md', 'x'), status: 'retry', documentId: null }], [file('a.md', 'x')]);
    assert.deepEqual(plan.steps.map((s) => s.action), ['upsert']);
  });

  test('Git files are compared by blob id', () => {
    const blob = (p: string, b: string): ScannedFile => ({ path: p, size: 1, mtimeMs: null, gitBlob: b, sha256: null });
    const plan = planSync([{ ...blob('a.md', 'b1'), sha256: 'h', documentId: 'd1', status: 'synced' }], [blob('docs/a.md', 'b1')]);
    assert.deepEqual(plan.steps.map((s) => s.action), ['rename']);
  });
});

describe('source paths', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kb-sync-unit-'));
  const root = path.join(dir, 'root');
  const outside = path.join(dir, 'outside');
  mkdirSync(path.join(root, 'docs', 'sub'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'secret.md'), 'secret');
  writeFileSync(path.join(root, 'docs', 'a.md'), 'a');
  writeFileSync(path.join(root, 'docs', 'sub', 'b.txt'), 'b');
  writeFileSync(path.join(root, 'docs', 'tool.exe'), 'x');
  writeFileSync(path.join(root, 'docs', '.hidden.md'), 'h');
  symlinkSync(path.join(outside, 'secret.md'), path.join(root, 'docs', 'escape.md'));
  symlinkSync(outside, path.join(root, 'docs', 'escape-dir'));
  symlinkSync(outside, path.join(root, 'link-out'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const roots = sourceRoots(`${root}:`);

  test('a path inside the roots resolves; `..`, a symlink out, a missing path and one outside are refused naming the field', async () => {
    assert.equal(await resolveInsideRoots('docs', roots), path.join(root, 'docs'));
    for (const bad of ['docs/../../outside', path.join(root, 'link-out'), path.join(root, 'missing'), outside]) {
      await assert.rejects(resolveInsideRoots(bad, roots), (e: { field?: string; code?: string }) => e.field === 'path' && e.code === 'E_KB_SOURCE_INVALID', bad);
    }
  });

  test('a walk takes synced types only, skips hidden files and never follows a symlink out of the source', async () => {
    const files = await walkDirectory(path.join(root, 'docs'), { maxFiles: 100 });
    assert.deepEqual(files.map((f) => f.path), ['a.md', 'sub/b.txt']);
    await assert.rejects(walkDirectory(path.join(root, 'docs'), { maxFiles: 1 }), /KB_SYNC_MAX_FILES/);
    assert.equal(isSyncedPath('.git/config.md'), false);
    assert.equal(isSyncedPath('docs/手册.md'), true);
  });
});

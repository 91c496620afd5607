import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createLocalBlobStore } from '../../lib/blob/local.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'blob-test-'));
const blobs = createLocalBlobStore(root);
after(() => rmSync(root, { recursive: true, force: true }));

const read = async (key: string) => Buffer.concat(await blobs.read(key).toArray()).toString();

test('put streams a blob and reports its size; read gives it back', async () => {
  assert.deepEqual(await blobs.put('documents/abc', Readable.from(['hello ', 'world'])), { size: 11 });
  assert.equal(await read('documents/abc'), 'hello world');
  assert.equal(await blobs.exists('documents/abc'), true);
});

test('a failing body leaves neither the blob nor a partial file', async () => {
  const failing = new Readable({
    read() {
      this.push('partial');
      this.destroy(new Error('client went away'));
    },
  });
  await assert.rejects(blobs.put('documents/broken', failing), /client went away/);
  assert.equal(await blobs.exists('documents/broken'), false);
  assert.deepEqual(readdirSync(path.join(root, 'documents')).filter((f) => f.includes('partial')), []);
});

test('rename moves a blob; delete of an absent blob is fine', async () => {
  await blobs.put('staging/x', Readable.from(['x']));
  await blobs.rename('staging/x', 'documents/x');
  assert.equal(await read('documents/x'), 'x');
  await blobs.delete('documents/x');
  await blobs.delete('documents/x');
  assert.equal(await blobs.exists('documents/x'), false);
});

test('keys that could escape the root are refused', async () => {
  for (const key of ['../etc/passwd', '/abs', 'a/../../b', 'UPPER', 'a//b', '']) {
    await assert.rejects(blobs.put(key, Readable.from(['x'])), { code: 'E_BLOB_KEY' }, key);
  }
  await assert.rejects(blobs.localPath('documents/none'), { code: 'E_BLOB_MISSING' });
});

test('list walks a folder with modification times, and an absent folder is empty', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'blobs-list-'));
  const blobs = createLocalBlobStore(root);
  await blobs.put('staging/a', Readable.from(['a']));
  await blobs.put('staging/deep/b', Readable.from(['b']));
  await blobs.put('text/c.txt', Readable.from(['c']));
  const listed = [];
  for await (const blob of blobs.list('staging/')) listed.push(blob);
  assert.deepEqual(listed.map((b) => b.key).sort(), ['staging/a', 'staging/deep/b']);
  assert.ok(listed.every((b) => Date.now() - b.modifiedAt.getTime() < 60_000));
  const none = [];
  for await (const blob of blobs.list('nothing/')) none.push(blob);
  assert.deepEqual(none, []);
  rmSync(root, { recursive: true, force: true });
});

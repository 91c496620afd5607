import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { archiveBlobs, extractArchive, hashDirectory, summarize } from '../../../lib/backup/blob-archive.ts';
import { decryptStream, encryptStream, keyIdOf } from '../../../lib/backup/crypto.ts';
import { backupIdFromWorkflowId, BACKUP_ID_PATTERN, newBackupId } from '../../../lib/backup/ids.ts';
import { digestStored, openPart, storePart } from '../../../lib/backup/parts.ts';
import { createLocalBlobStore } from '../../../lib/blob/local.ts';

const key = randomBytes(32);
const collect = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};
/** Feeds `data` in uneven pieces, as a file stream would. */
const pieces = (data: Buffer, size: number) => Readable.from(Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size)));

test('AES-256-GCM streams round-trip at any chunking, including empty input', async () => {
  for (const [length, size] of [[0, 1], [1, 1], [17, 3], [70_000, 4096], [5_000, 1]] as const) {
    const plain = randomBytes(length);
    const sealed = await collect(pieces(plain, size).pipe(encryptStream(key)));
    assert.equal(sealed.length, 8 + 12 + length + 16);
    assert.equal(sealed.subarray(0, 8).toString(), 'AISTBK01');
    const opened = await collect(pieces(sealed, Math.max(1, size)).pipe(decryptStream(key)));
    assert.ok(opened.equals(plain), `length ${length}, chunks of ${size}`);
  }
});

test('a flipped bit, a truncated part or another key fails authentication', async () => {
  const sealed = await collect(Readable.from([Buffer.from('the database dump')]).pipe(encryptStream(key)));
  const flipped = Buffer.from(sealed);
  flipped[25]! ^= 1;
  await assert.rejects(collect(Readable.from([flipped]).pipe(decryptStream(key))), { code: 'E_BACKUP_DECRYPT' });
  await assert.rejects(collect(Readable.from([sealed.subarray(0, sealed.length - 1)]).pipe(decryptStream(key))), { code: 'E_BACKUP_DECRYPT' });
  await assert.rejects(collect(Readable.from([sealed]).pipe(decryptStream(randomBytes(32)))), { code: 'E_BACKUP_DECRYPT' });
  assert.match(keyIdOf(key), /^[0-9a-f]{16}$/);
});

test('a stored part: its sha256 is that of the stored bytes, and it opens to the raw bytes', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parts-'));
  try {
    const blobs = createLocalBlobStore(dir);
    const raw = Buffer.from('row\n'.repeat(50_000));
    for (const encryption of [undefined, key]) {
      const part = await storePart(blobs, 'database', `backups/bk_x/db${encryption ? '.enc' : ''}`, Readable.from([raw]), encryption);
      const stored = readFileSync(path.join(dir, part.key));
      assert.equal(part.sha256, createHash('sha256').update(stored).digest('hex'));
      assert.equal(part.bytes, stored.length);
      assert.equal(part.rawBytes, raw.length);
      assert.ok(part.bytes < raw.length / 10, 'compressed');
      assert.deepEqual(await digestStored(blobs, part.key), { sha256: part.sha256, bytes: part.bytes });
      assert.equal(await text(openPart(blobs, part, encryption)), raw.toString());
      // One flipped byte: the digest no longer matches (what verification and restore check first).
      stored[Math.floor(stored.length / 2)]! ^= 0xff;
      writeFileSync(path.join(dir, part.key), stored);
      assert.notEqual((await digestStored(blobs, part.key)).sha256, part.sha256);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('backup ids: new ones are unique and sortable; a scheduled one is the same for the same workflow id', () => {
  const at = new Date('2026-12-01T02:00:00Z');
  assert.match(newBackupId(at), BACKUP_ID_PATTERN);
  assert.ok(newBackupId(at).startsWith('bk_20261201020000_'));
  assert.notEqual(newBackupId(at), newBackupId(at));
  const scheduled = 'backup-nightly-2026-12-01T02:00:00Z';
  const id = backupIdFromWorkflowId(scheduled, new Date());
  assert.match(id, /^bk_20261201020000_[0-9a-f]{6}$/);
  assert.equal(backupIdFromWorkflowId(scheduled, new Date(0)), id, 'the firing time in the id, not the clock');
  assert.notEqual(backupIdFromWorkflowId('backup-other-2026-12-01T02:00:00Z', new Date()), id);
});

test('the blob digest depends on every key and hash, not on the order they were seen', () => {
  const a = new Map([
    ['documents/a', { sha256: 'aa', bytes: 1 }],
    ['documents/b', { sha256: 'bb', bytes: 2 }],
  ]);
  const b = new Map([...a.entries()].reverse());
  assert.deepEqual(summarize(a), summarize(b));
  assert.equal(summarize(a).count, 2);
  assert.equal(summarize(a).bytes, 3);
  assert.notEqual(summarize(a).digest, summarize(new Map([['documents/a', { sha256: 'aa', bytes: 1 }]])).digest);
  assert.notEqual(summarize(a).digest, summarize(new Map([...a, ['documents/b', { sha256: 'bc', bytes: 2 }]])).digest);
});

test('an empty blob store archives and extracts to nothing; blobs round-trip with their digests', async () => {
  const blobDir = mkdtempSync(path.join(os.tmpdir(), 'aistack-archive-'));
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'aistack-extract-'));
  try {
    const blobs = createLocalBlobStore(blobDir);
    const empty = await archiveBlobs(blobs, blobDir);
    await extractArchive(empty.archive, path.join(outDir, 'empty'));
    assert.equal((await empty.summary).count, 0);
    assert.equal((await hashDirectory(path.join(outDir, 'empty'))).size, 0);

    await blobs.put('documents/a.txt', Readable.from([Buffer.from('你好')]));
    await blobs.put('backups/old/manifest.json', Readable.from([Buffer.from('{}')]));
    const full = await archiveBlobs(blobs, blobDir);
    await extractArchive(full.archive, path.join(outDir, 'full'));
    const files = await hashDirectory(path.join(outDir, 'full'));
    assert.deepEqual([...files.keys()], ['documents/a.txt'], 'backups/ is never in a backup');
    assert.equal(summarize(files).digest, (await full.summary).digest);
  } finally {
    rmSync(blobDir, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  }
});

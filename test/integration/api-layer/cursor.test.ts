/** Signed cursors: what the API wrote comes back; anything else is a 400 naming `cursor`. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { createCursorCodec, CURSOR_PATTERN, decodeCursor, encodeCursor } from '../../../api/cursor.ts';
import { HttpProblem } from '../../../api/problem.ts';

const position = z.object({ createdAt: z.iso.datetime(), id: z.string().regex(/^[0-9a-f]{64}$/) });
const payload = { createdAt: '2026-11-30T10:00:00.000Z', id: 'a'.repeat(64) };
const codec = createCursorCodec('a secret of thirty-two bytes.....');

function assertRefused(cursor: string, what: string) {
  assert.throws(
    () => codec.decode(position, cursor),
    (error: unknown) =>
      error instanceof HttpProblem && error.status === 400 && error.extra.errors?.[0]?.field === 'cursor' && error.extra.code === 'E_VALIDATION',
    what,
  );
}

test('a cursor round-trips, is opaque and matches the documented pattern', () => {
  const cursor = codec.encode(payload);
  assert.deepEqual(codec.decode(position, cursor), payload);
  assert.match(cursor, new RegExp(CURSOR_PATTERN));
  assert.deepEqual(decodeCursor(position, encodeCursor(payload)), payload);
});

test('tampered, truncated, foreign and unsigned cursors are 400s naming cursor', () => {
  const cursor = codec.encode(payload);
  const [body, tag] = cursor.split('.') as [string, string];
  const forged = Buffer.from(JSON.stringify({ ...payload, id: 'b'.repeat(64) })).toString('base64url');
  assertRefused(`${forged}.${tag}`, 'payload changed, old signature');
  assertRefused(`${body}.${tag.slice(0, -1)}${tag.endsWith('A') ? 'B' : 'A'}`, 'signature changed');
  assertRefused(cursor.slice(0, -5), 'truncated');
  assertRefused(body, 'no signature');
  assertRefused(`${cursor}!`, 'junk after the signature (base64 decoders skip it)');
  assertRefused(`${body}.${tag.slice(0, 20)}=${tag.slice(20)}`, 'junk inside the signature');
  assertRefused(Buffer.from(JSON.stringify(payload)).toString('base64url'), 'the old unsigned format');
  assertRefused(createCursorCodec('another secret, another process').encode(payload), 'foreign secret');
  assertRefused(codec.encode({ id: 'zz' }), 'signed, but not a position of this list');
  for (const junk of ['', '.', '..', '%%%', 'x'.repeat(600), `${body}.${tag}.${tag}`, '\u0000.\u0000']) assertRefused(junk, JSON.stringify(junk.slice(0, 20)));
});

test('a short secret is refused at construction, naming it', () => {
  assert.throws(() => createCursorCodec('short'), /secret/);
});

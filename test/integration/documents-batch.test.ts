/** Batch uploads and lookups through the real API: a result per item, bounds on every count. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { retentionPolicyEn, travelPolicyZh } from '../fixtures/corpus.ts';
import { startTestPlatform, waitForDocument, type TestPlatform } from '../helpers/platform.ts';

describe('document batch operations', () => {
  let t: TestPlatform;
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${t.api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const base64 = (text: string) => Buffer.from(text).toString('base64');

  before(async () => {
    t = await startTestPlatform('pglite');
  });
  after(async () => {
    await t?.close();
  });

  test('a batch answers each upload on its own: accepted, invalid, duplicate, unknown knowledge base', async () => {
    const { status, body } = await post('/v1/documents/batch', {
      documents: [
        { filename: 'travel.md', contentBase64: base64(travelPolicyZh), tags: ['policy'] },
        { filename: 'broken.md' },
        { filename: 'again.md', contentBase64: base64(travelPolicyZh) },
        { filename: 'elsewhere.md', contentBase64: base64(retentionPolicyEn), knowledgeBase: 'no-such-kb' },
        { filename: 'retention.md', contentBase64: base64(retentionPolicyEn) },
      ],
    });
    assert.equal(status, 200);
    assert.deepEqual(
      body.results.map((r: { index: number; status: number }) => [r.index, r.status]),
      [
        [0, 202],
        [1, 400],
        [2, 200],
        [3, 404],
        [4, 202],
      ],
    );
    assert.deepEqual(body.results[1].problem.errors.map((e: { field: string }) => e.field), ['documents.1.contentBase64']);
    assert.equal(body.results[2].document.id, body.results[0].document.id, 'the same bytes are the same document');
    assert.equal(body.results[2].document.duplicate, true);
    assert.equal(body.results[3].problem.code, 'E_KNOWLEDGE_BASE_NOT_FOUND');
    for (const index of [0, 4]) assert.equal((await waitForDocument(t.api.url, body.results[index].document.id)).status, 'ready');
  });

  test('a batch over its count or without documents is one 400 naming the field', async () => {
    const tooMany = await post('/v1/documents/batch', { documents: Array.from({ length: 51 }, () => ({})) });
    assert.equal(tooMany.status, 400);
    assert.deepEqual(tooMany.body.errors.map((e: { field: string }) => e.field), ['documents']);
    const empty = await post('/v1/documents/batch', { documents: [] });
    assert.equal(empty.status, 400);
    const notJson = await fetch(`${t.api.url}/v1/documents/batch`, { method: 'POST', body: 'x' });
    assert.equal(notJson.status, 400);
  });

  test('a lookup answers every id in the order asked, found or not', async () => {
    const { body: listed } = await fetch(`${t.api.url}/v1/documents?limit=2`).then(async (r) => ({ body: (await r.json()) as any }));
    const known = listed.items.map((d: { id: string }) => d.id) as string[];
    assert.equal(known.length, 2);
    const unknown = 'e'.repeat(64);
    const { status, body } = await post('/v1/documents/lookup', { ids: [known[1], unknown, known[0]] });
    assert.equal(status, 200);
    assert.deepEqual(
      body.items.map((i: { id: string; found: boolean }) => [i.id, i.found]),
      [
        [known[1], true],
        [unknown, false],
        [known[0], true],
      ],
    );
    assert.equal(body.items[0].document.id, known[1]);
    assert.equal(body.items[1].document, null);
  });

  test('a lookup with a malformed id or too many ids is a 400 naming the field', async () => {
    const malformed = await post('/v1/documents/lookup', { ids: ['e'.repeat(64), '../etc/passwd'] });
    assert.equal(malformed.status, 400);
    assert.deepEqual(malformed.body.errors.map((e: { field: string }) => e.field), ['ids.1']);
    const tooMany = await post('/v1/documents/lookup', { ids: Array.from({ length: 101 }, () => 'e'.repeat(64)) });
    assert.equal(tooMany.status, 400);
    assert.deepEqual(tooMany.body.errors.map((e: { field: string }) => e.field), ['ids']);
  });
});

/**
 * API keys and tenants through the real API with AUTH=on: who may call, what each
 * scope allows, and that one tenant can neither read, list, search, delete nor
 * guess another's documents and knowledge bases.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { retentionPolicyEn, travelPolicyZh } from '../fixtures/corpus.ts';
import { startTestPlatform, waitForDocument, type TestPlatform } from '../helpers/platform.ts';

const operatorKey = `ak_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;

describe('API keys and tenants', () => {
  let t: TestPlatform;
  const as = (key: string | undefined) => async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (key) headers.set('authorization', `Bearer ${key}`);
    const response = await fetch(`${t.api.url}${path}`, { ...init, headers });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
  };
  const operator = as(operatorKey);
  const newKey = async (body: object, by = operator) => {
    const created = await by('/v1/api-keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body as { id: string; key: string; tenant: string; scopes: string[] };
  };
  const uploadAs = async (key: string, text: string, filename: string) => {
    const form = new FormData();
    form.append('file', new Blob([text]), filename);
    return as(key)('/v1/documents', { method: 'POST', body: form });
  };

  let alice: { id: string; key: string };
  let bob: { id: string; key: string };
  let aliceDocument: string;

  before(async () => {
    t = await startTestPlatform('postgres', { env: { AUTH: 'on', ADMIN_API_KEY: operatorKey } });
    alice = await newKey({ name: 'alice app', tenant: 'alice-co', scopes: ['admin'] });
    bob = await newKey({ name: 'bob app', tenant: 'bob-co', scopes: ['documents:read', 'documents:write', 'search'] });
    const uploaded = await uploadAs(alice.key, travelPolicyZh, 'travel.md');
    assert.equal(uploaded.status, 202, JSON.stringify(uploaded.body));
    aliceDocument = uploaded.body.id;
    const headers = { authorization: `Bearer ${alice.key}` };
    for (let deadline = Date.now() + 120_000; ; ) {
      const doc = (await (await fetch(`${t.api.url}/v1/documents/${aliceDocument}`, { headers })).json()) as { status: string };
      if (doc.status === 'ready') break;
      assert.ok(Date.now() < deadline && ['queued', 'running'].includes(doc.status), `alice's document is ${doc.status}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  after(async () => {
    await t?.close();
  });

  test('a missing, malformed, unknown or revoked key is the same 401 problem, and health stays open', async () => {
    const spare = await newKey({ name: 'spare', scopes: ['documents:read'] });
    assert.equal((await operator(`/v1/api-keys/${spare.id}`, { method: 'DELETE' })).status, 204);
    const unknown = `ak_${'0'.repeat(16)}_${'A'.repeat(43)}`;
    const answers = [
      await as(undefined)('/v1/documents'),
      await as('not-a-key')('/v1/documents'),
      await as(unknown)('/v1/documents'),
      await as(spare.key)('/v1/documents'),
      await as(undefined)(`/v1/documents/${aliceDocument}`),
      await fetch(`${t.api.url}/v1/documents`, { headers: { 'x-api-key': 'x'.repeat(5000) } }).then(async (r) => ({
        status: r.status,
        headers: r.headers,
        body: (await r.json()) as Record<string, any>,
      })),
    ];
    const withoutInstance = ({ instance: _, ...problem }: Record<string, any>) => problem;
    for (const answer of answers) {
      assert.equal(answer.status, 401);
      assert.equal(answer.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.equal(answer.headers.get('www-authenticate'), 'Bearer');
      assert.deepEqual(withoutInstance(answer.body), withoutInstance(answers[0]!.body), 'no answer tells one kind of bad key from another');
    }
    assert.equal(answers[0]!.body.code, 'E_UNAUTHENTICATED');
    assert.equal((await as(undefined)('/healthz')).status, 200);
    assert.equal((await as(undefined)('/openapi.json')).status, 200);
  });

  test('a key works through Authorization: Bearer and X-API-Key alike', async () => {
    assert.equal((await as(alice.key)('/v1/documents')).status, 200);
    const viaHeader = await fetch(`${t.api.url}/v1/documents`, { headers: { 'x-api-key': alice.key } });
    assert.equal(viaHeader.status, 200);
  });

  test('a key without the scope gets 403 before anything is looked up', async () => {
    const reader = await newKey({ name: 'reader', tenant: 'alice-co', scopes: ['documents:read'] }, as(alice.key));
    const read = as(reader.key);
    assert.equal((await read('/v1/documents')).status, 200);
    const refused = [
      await read('/v1/search/semantic?q=hotel'),
      await uploadAs(reader.key, 'a new note', 'note.txt'),
      await read(`/v1/documents/${aliceDocument}`, { method: 'DELETE' }),
      await read(`/v1/documents/${'f'.repeat(64)}`, { method: 'DELETE' }), // unknown: the same answer
      await read('/v1/api-keys'),
    ];
    for (const answer of refused) {
      assert.equal(answer.status, 403);
      assert.equal(answer.body.code, 'E_FORBIDDEN');
    }
    const { instance: _known, ...known } = refused[2]!.body;
    const { instance: _unknown, ...unknown } = refused[3]!.body;
    assert.deepEqual(known, unknown, 'a 403 does not say whether the document exists');
  });

  test('only a key with the tenants scope creates keys for another tenant or grants that scope', async () => {
    const post = (body: object) =>
      as(alice.key)('/v1/api-keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await post({ name: 'x', tenant: 'bob-co', scopes: ['admin'] })).status, 403);
    assert.equal((await post({ name: 'x', scopes: ['tenants'] })).status, 403);
    const invalid = await post({ name: '', scopes: ['everything'], extra: 1 });
    assert.equal(invalid.status, 400);
    assert.deepEqual(invalid.body.errors.map((e: { field: string }) => e.field).sort(), ['(body)', 'name', 'scopes.0']);
  });

  test('keys are listed without secrets and stored only as hashes', async () => {
    const listed = await as(alice.key)('/v1/api-keys');
    assert.equal(listed.status, 200);
    assert.ok(listed.body.items.length >= 2);
    assert.ok(listed.body.items.every((k: Record<string, unknown>) => k.tenant === 'alice-co' && !('key' in k) && !('secretHash' in k)));
    const { rows } = await t.platform.db.query<{ secret_hash: Buffer }>('select secret_hash from api_keys where id = $1', [alice.id]);
    assert.equal(rows[0]!.secret_hash.length, 32);
    assert.ok(!Buffer.from(alice.key).includes(rows[0]!.secret_hash), 'the hash is not a piece of the key');
    const { rows: all } = await t.platform.db.query<{ row: string }>('select api_keys::text as row from api_keys');
    assert.ok(all.every((r) => !r.row.includes(alice.key.slice(20))), 'no column holds the secret');
  });

  test("tenant B can neither read, list, search, delete, reingest nor guess tenant A's documents", async () => {
    const bobs = as(bob.key);
    assert.equal((await bobs(`/v1/documents/${aliceDocument}`)).status, 404);
    assert.equal((await bobs(`/v1/documents/${aliceDocument}`, { method: 'DELETE' })).status, 404);
    assert.equal((await bobs(`/v1/documents/${aliceDocument}/reingest`, { method: 'POST' })).status, 404);
    assert.deepEqual((await bobs('/v1/documents')).body.items, []);
    const lookup = await bobs('/v1/documents/lookup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [aliceDocument] }),
    });
    assert.deepEqual(lookup.body.items, [{ id: aliceDocument, found: false, document: null }]);
    const search = await bobs(`/v1/search/semantic?q=${encodeURIComponent('出差住宿怎么报销')}`);
    assert.equal(search.status, 200);
    assert.deepEqual(search.body.results, [], "bob's search sees none of alice's chunks");
    // The same bytes in bob's tenant are bob's own document, with another id.
    const bobsCopy = await uploadAs(bob.key, travelPolicyZh, 'travel.md');
    assert.equal(bobsCopy.status, 202);
    assert.notEqual(bobsCopy.body.id, aliceDocument);
    // Alice's document is untouched and still hers.
    const hers = await as(alice.key)(`/v1/documents/${aliceDocument}`);
    assert.equal(hers.status, 200);
    assert.equal(hers.body.status, 'ready');
  });

  test('knowledge bases are per tenant: the same id in two tenants is two knowledge bases', async () => {
    const create = (key: string, name: string) =>
      as(key)('/v1/knowledge-bases', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'hr', name }) });
    assert.equal((await create(alice.key, 'Alice HR')).status, 201);
    assert.equal((await create(bob.key, 'Bob HR')).status, 201);
    assert.equal((await as(alice.key)('/v1/knowledge-bases/hr')).body.name, 'Alice HR');
    assert.equal((await as(bob.key)('/v1/knowledge-bases/hr')).body.name, 'Bob HR');
    const alicesKbs = (await as(alice.key)('/v1/knowledge-bases')).body.items.map((kb: { id: string }) => kb.id);
    assert.deepEqual(alicesKbs.sort(), ['default', 'hr']);
    // Every tenant has its own `default`, and it cannot be deleted.
    assert.equal((await as(bob.key)('/v1/knowledge-bases/default', { method: 'DELETE' })).status, 409);
  });

  test("a document uploaded by tenant B is searchable by B and never by A", async () => {
    const uploaded = await uploadAs(bob.key, retentionPolicyEn, 'retention.md');
    assert.equal(uploaded.status, 202);
    const headers = { authorization: `Bearer ${bob.key}` };
    const url = `${t.api.url}/v1/documents/${uploaded.body.id}`;
    for (let deadline = Date.now() + 120_000; ; ) {
      const doc = (await (await fetch(url, { headers })).json()) as { status: string };
      if (doc.status === 'ready') break;
      assert.ok(Date.now() < deadline && ['queued', 'running'].includes(doc.status), `bob's document is ${doc.status}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const query = `/v1/search/semantic?q=${encodeURIComponent('how long are records kept')}&k=10`;
    const bobsHits = (await as(bob.key)(query)).body.results as { documentId: string }[];
    assert.ok(bobsHits.some((h) => h.documentId === uploaded.body.id));
    const alicesHits = (await as(alice.key)(query)).body.results as { documentId: string }[];
    assert.ok(alicesHits.every((h) => h.documentId === aliceDocument), 'alice only ever sees her own document');
  });
});

describe('open local mode (AUTH=off)', () => {
  test('requests without a key are the default tenant', async () => {
    const t = await startTestPlatform('pglite');
    try {
      const form = new FormData();
      form.append('file', new Blob(['Open mode note about hotel receipts.']), 'note.txt');
      const uploaded = await fetch(`${t.api.url}/v1/documents`, { method: 'POST', body: form });
      assert.equal(uploaded.status, 202);
      const { id } = (await uploaded.json()) as { id: string };
      assert.equal((await waitForDocument(t.api.url, id)).status, 'ready');
      const { rows } = await t.platform.db.query<{ tenant: string }>('select tenant from documents where id = $1', [id]);
      assert.equal(rows[0]!.tenant, 'default');
    } finally {
      await t.close();
    }
  });
});

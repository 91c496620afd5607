/**
 * The HTTP layer on a small app: compression negotiation, strong ETags and 304s,
 * the response cache (hits, tags, tenants), 405 + Allow, and hostile headers.
 */
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { applyHttpLayer, createAllowedMethods, createResponseCache, storableUnlessInProgress, strongEtag } from '../../../api/middleware/index.ts';
import { notFoundHandler, problemHandler } from '../../../api/problem.ts';
import { listen, memoryStore, rawGet } from './helpers.ts';

const big = { items: Array.from({ length: 200 }, (_, i) => ({ id: i, text: `row ${i} of a page large enough to compress` })) };
const store = memoryStore();
let routeRuns = 0;
let server: Awaited<ReturnType<typeof listen>>;

before(async () => {
  const app = express();
  applyHttpLayer(app, { compression: { thresholdBytes: 1024 } });
  // Stand-in for the lead's authentication: the tenant comes from a header here.
  app.use((req, res, next) => {
    res.locals.tenant = req.get('x-test-tenant') ?? 'default';
    res.locals.identity = { tenant: res.locals.tenant, scopes: (req.get('x-test-scopes') ?? 'documents:read').split(' ') };
    next();
  });
  app.use('/v1', createResponseCache({ store, tagsOf: (_req, res) => [`documents:${res.locals.tenant}`], storable: storableUnlessInProgress }));
  let progress = 0;
  app.get('/v1/progressing', (_req, res) => {
    progress += 1;
    res.json({ status: progress < 3 ? 'running' : 'ready', progress });
  });
  app.get('/v1/big', (_req, res) => void res.json(big));
  app.get('/v1/small', (_req, res) => void res.json({ ok: true }));
  app.get('/v1/counted', (_req, res) => void res.json({ run: ++routeRuns, tenant: res.locals.tenant }));
  // As the routes check scopes: after the cache, so the scopes must be part of its key.
  app.get('/v1/scoped', (_req, res) => {
    if (!res.locals.identity.scopes.includes('documents:read')) return void res.status(403).json({ status: 403 });
    res.json({ secret: true });
  });
  app.get('/v1/image', (_req, res) => void res.type('image/png').send(Buffer.alloc(4096, 7)));
  app.get('/v1/missing', () => {
    throw Object.assign(new Error('nope'), { status: 404 });
  });
  app.use(createAllowedMethods({ '/v1/big': { get: {} }, '/v1/things/{id}': { get: {}, delete: {} } }));
  app.use(notFoundHandler);
  app.use(problemHandler);
  server = await listen(app);
});

after(() => server.close());

describe('compression', () => {
  test('brotli when preferred, gzip when only gzip is accepted, identity when neither', async () => {
    const br = await rawGet(`${server.url}/v1/big`, { 'accept-encoding': 'gzip;q=0.5, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.deepEqual(JSON.parse(zlib.brotliDecompressSync(br.body).toString()), big);
    assert.match(String(br.headers.vary), /accept-encoding/i);
    const gz = await rawGet(`${server.url}/v1/big`, { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(JSON.parse(zlib.gunzipSync(gz.body).toString()), big);
    const plain = await rawGet(`${server.url}/v1/big`, { 'accept-encoding': 'identity' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.deepEqual(JSON.parse(plain.body.toString()), big);
  });

  test('nothing under the threshold, nothing already compressed', async () => {
    const small = await rawGet(`${server.url}/v1/small`, { 'accept-encoding': 'br, gzip' });
    assert.equal(small.headers['content-encoding'], undefined);
    const image = await rawGet(`${server.url}/v1/image`, { 'accept-encoding': 'br, gzip' });
    assert.equal(image.headers['content-encoding'], undefined);
    assert.equal(image.body.length, 4096);
  });

  test('absurd Accept-Encoding headers never fail the request', async () => {
    for (const value of ['*;q=banana', 'x'.repeat(6000), ',,,;;;q=', 'br;q=0, gzip;q=0, identity;q=0', '\u00ff\u00fe']) {
      const r = await rawGet(`${server.url}/v1/big`, { 'accept-encoding': value });
      assert.ok(r.status < 500, `Accept-Encoding ${JSON.stringify(value.slice(0, 30))} → ${r.status}`);
    }
  });
});

describe('conditional requests', () => {
  test('a strong ETag of the exact body, private no-cache, and 304 without a body when it matches', async () => {
    const first = await rawGet(`${server.url}/v1/small`);
    assert.equal(first.headers.etag, strongEtag(first.body));
    assert.doesNotMatch(first.headers.etag!, /^W\//);
    assert.equal(first.headers['cache-control'], 'private, no-cache');
    const again = await rawGet(`${server.url}/v1/small`, { 'if-none-match': first.headers.etag! });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.etag, first.headers.etag);
    assert.equal(again.headers['content-type'], undefined);
  });

  test('lists, weak comparison and * all match; other tags and malformed headers get the body', async () => {
    const { headers } = await rawGet(`${server.url}/v1/small`);
    const etag = headers.etag!;
    for (const value of [`"nope", ${etag}`, `W/${etag}`, '*', ` "a" ,W/"b",  ${etag} `]) {
      assert.equal((await rawGet(`${server.url}/v1/small`, { 'if-none-match': value })).status, 304, value);
    }
    for (const value of ['"other"', etag.slice(1, -1), 'W/', '"', `${etag.slice(0, -1)}`, ',,,', 'x'.repeat(9000)]) {
      const r = await rawGet(`${server.url}/v1/small`, { 'if-none-match': value });
      assert.equal(r.status, 200, value.slice(0, 40));
    }
  });

  test('HEAD validates too, and errors carry no ETag', async () => {
    const { headers } = await rawGet(`${server.url}/v1/small`);
    assert.equal((await rawGet(`${server.url}/v1/small`, { 'if-none-match': headers.etag! }, 'HEAD')).status, 304);
    const missing = await rawGet(`${server.url}/v1/missing`, { 'if-none-match': '*' });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.etag, undefined);
  });
});

describe('response cache', () => {
  test('a second GET is a hit; the query order does not matter; a tag invalidation reloads', async () => {
    const before = routeRuns;
    const a = await rawGet(`${server.url}/v1/counted?b=2&a=1`);
    const b = await rawGet(`${server.url}/v1/counted?a=1&b=2`);
    assert.equal(a.headers['x-cache'], 'miss');
    assert.equal(b.headers['x-cache'], 'hit');
    assert.deepEqual(JSON.parse(b.body.toString()), JSON.parse(a.body.toString()));
    assert.equal(b.headers.etag, a.headers.etag);
    assert.equal(routeRuns, before + 1);
    await store.invalidateTags(['documents:default']);
    const c = await rawGet(`${server.url}/v1/counted?a=1&b=2`);
    assert.equal(c.headers['x-cache'], 'miss');
    assert.equal(routeRuns, before + 2);
  });

  test('tenants never share an entry, and one tenant’s invalidation leaves the other cached', async () => {
    const red = await rawGet(`${server.url}/v1/counted?t=1`, { 'x-test-tenant': 'red' });
    const blue = await rawGet(`${server.url}/v1/counted?t=1`, { 'x-test-tenant': 'blue' });
    assert.equal(JSON.parse(red.body.toString()).tenant, 'red');
    assert.equal(JSON.parse(blue.body.toString()).tenant, 'blue');
    await store.invalidateTags(['documents:red']);
    assert.equal((await rawGet(`${server.url}/v1/counted?t=1`, { 'x-test-tenant': 'blue' })).headers['x-cache'], 'hit');
    assert.equal((await rawGet(`${server.url}/v1/counted?t=1`, { 'x-test-tenant': 'red' })).headers['x-cache'], 'miss');
  });

  test('a key without the scope never gets a stored answer of a key with it (same tenant)', async () => {
    assert.equal((await rawGet(`${server.url}/v1/scoped`)).status, 200);
    assert.equal((await rawGet(`${server.url}/v1/scoped`)).headers['x-cache'], 'hit');
    assert.equal((await rawGet(`${server.url}/v1/scoped`, { 'x-test-scopes': 'search' })).status, 403);
  });

  test('simultaneous misses run the route once; errors are not stored', async () => {
    await store.invalidateTags(['documents:default']);
    const before = routeRuns;
    const answers = await Promise.all(Array.from({ length: 20 }, () => rawGet(`${server.url}/v1/counted?burst=1`)));
    assert.equal(routeRuns, before + 1);
    assert.ok(answers.every((r) => r.status === 200 && JSON.parse(r.body.toString()).run === before + 1));
    await rawGet(`${server.url}/v1/missing`);
    assert.notEqual((await rawGet(`${server.url}/v1/missing`)).headers['x-cache'], 'hit');
  });
});

describe('documents in progress', () => {
  test('are never stored: each GET sees the progress, and the first finished answer is the one kept', async () => {
    const seen = [];
    for (let i = 0; i < 4; i++) {
      const r = await rawGet(`${server.url}/v1/progressing`);
      seen.push([JSON.parse(r.body.toString()).progress, r.headers['x-cache']]);
    }
    assert.deepEqual(seen, [[1, 'miss'], [2, 'miss'], [3, 'miss'], [3, 'hit']]);
  });
});

describe('methods', () => {
  test('undeclared methods on known paths are 405 problems with Allow; OPTIONS answers Allow', async () => {
    for (const method of ['TRACE', 'PUT', 'POST', 'DELETE']) {
      const r = await rawGet(`${server.url}/v1/big`, {}, method);
      assert.equal(r.status, 405, method);
      assert.equal(r.headers.allow, 'GET, HEAD, OPTIONS');
      if (method !== 'TRACE' || r.body.length) assert.equal(JSON.parse(r.body.toString()).code, 'E_METHOD_NOT_ALLOWED');
    }
    const put = await rawGet(`${server.url}/v1/things/42`, {}, 'PUT');
    assert.equal(put.status, 405);
    assert.equal(put.headers.allow, 'GET, DELETE, HEAD, OPTIONS');
    const options = await rawGet(`${server.url}/v1/things/42`, {}, 'OPTIONS');
    assert.equal(options.status, 204);
    assert.equal(options.headers.allow, 'GET, DELETE, HEAD, OPTIONS');
    assert.equal((await rawGet(`${server.url}/v1/unknown`, {}, 'PUT')).status, 404);
  });
});

describe('the real contract', () => {
  test('405s follow the OpenAPI document of the real app: what it declares is allowed, the rest is 405', async () => {
    const { openApiDocument } = await import('../../../api/openapi.ts');
    const app = express();
    app.use(createAllowedMethods(openApiDocument.paths));
    app.use(notFoundHandler);
    app.use(problemHandler);
    const real = await listen(app);
    try {
      const trace = await rawGet(`${real.url}/v1/documents`, {}, 'TRACE');
      assert.equal(trace.status, 405);
      assert.equal(trace.headers.allow, 'POST, GET, HEAD, OPTIONS');
      const put = await rawGet(`${real.url}/v1/documents/${'a'.repeat(64)}`, {}, 'PUT');
      assert.equal(put.headers.allow, 'GET, DELETE, HEAD, OPTIONS');
      assert.equal((await rawGet(`${real.url}/v1/documents/${'a'.repeat(64)}/reingest`, {}, 'GET')).headers.allow, 'POST, OPTIONS');
      assert.equal((await rawGet(`${real.url}/healthz`, {}, 'TRACE')).status, 405);
    } finally {
      await real.close();
    }
  });
});

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { buildPdf } from '../fixtures/documents/pdf-writer.ts';
import { buildDocx, buildZip, deflatedZeros } from '../fixtures/documents/zip-writer.ts';
import { startTestPlatform, upload, waitForDocument, type TestPlatform } from '../helpers/platform.ts';

/** A GIF: an image type OCR does not take (PNG, JPEG and TIFF go to OCR). */
const gif = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.from([1, 0, 1, 0, 0x80, 0, 0]), randomBytes(200)]);

describe('hostile requests get a 4xx problem naming the field, and the platform keeps serving', () => {
  let t: TestPlatform;
  let temporal: Client;
  before(async () => {
    t = await startTestPlatform('pglite', { env: { MAX_UPLOAD_SIZE: '1mb' } });
    temporal = new Client({ connection: await Connection.connect({ address: t.platform.config.TEMPORAL_ADDRESS }) });
  });
  after(async () => {
    await temporal?.connection.close();
    await t?.close();
  });

  const expectProblem = async (response: Response, status: number, field?: string) => {
    assert.equal(response.status, status);
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const body = (await response.json()) as { status: number; title: string; errors?: { field: string }[]; code?: string };
    assert.equal(body.status, status);
    assert.ok(body.title);
    if (field) assert.ok(body.errors?.some((e) => e.field === field), `expected field ${field} in ${JSON.stringify(body)}`);
    return body;
  };

  test('a body that is neither multipart nor JSON is refused with 415; a JSON body with unknown fields with 400', async () => {
    const text = await fetch(`${t.api.url}/v1/documents`, { method: 'POST', body: 'file=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await expectProblem(text, 415);
    const json = await fetch(`${t.api.url}/v1/documents`, { method: 'POST', body: '{"file":"x"}', headers: { 'content-type': 'application/json' } });
    await expectProblem(json, 400, '(body)');
  });

  test('a form without a file names the missing field', async () => {
    const form = new FormData();
    form.append('title', 'nothing attached');
    await expectProblem(await fetch(`${t.api.url}/v1/documents`, { method: 'POST', body: form }), 400, 'file');
  });

  test('two files in one upload are refused', async () => {
    const form = new FormData();
    form.append('file', new Blob(['one']), 'a.txt');
    form.append('file', new Blob(['two']), 'b.txt');
    await expectProblem(await fetch(`${t.api.url}/v1/documents`, { method: 'POST', body: form }), 400, 'file');
  });

  test('raw UTF-8 in a URL, as curl sends it unencoded, gets a problem that says how to fix it', async () => {
    const { hostname, port } = new URL(t.api.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(Buffer.from('GET /v1/search/semantic?q=出差住宿 HTTP/1.1\r\nHost: localhost\r\n\r\n', 'utf8'));
      });
      const parts: Buffer[] = [];
      socket.on('data', (part) => parts.push(part));
      socket.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
      socket.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.1 400 /);
    assert.match(raw, /content-type: application\/problem\+json/i);
    const problem = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { code: string; detail: string };
    assert.equal(problem.code, 'E_MALFORMED_REQUEST');
    assert.match(problem.detail, /percent-encode/);
    assert.equal((await fetch(`${t.api.url}/healthz`)).status, 200);
  });

  test('a broken multipart body is a 400, not a crash', async () => {
    const response = await fetch(`${t.api.url}/v1/documents`, {
      method: 'POST',
      body: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nunterminated',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
    });
    assert.equal(response.status, 400);
  });

  test('empty, GIF and random binary uploads are refused by their bytes, whatever their name', async () => {
    const empty = await upload(t.api.url, new Uint8Array(), 'empty.txt');
    assert.equal(empty.status, 422);
    assert.equal(empty.body.code, 'E_EMPTY_DOCUMENT');
    const image = await upload(t.api.url, gif, 'looks-like.txt');
    assert.equal(image.status, 415);
    assert.equal(image.body.code, 'E_UNSUPPORTED_TYPE');
    const noise = await upload(t.api.url, randomBytes(4096), 'notes.md');
    assert.equal(noise.status, 415);
  });

  test('an upload over the size limit is cut off with 413 and leaves no partial blob', async () => {
    const big = await upload(t.api.url, 'a'.repeat(2 * 1024 * 1024), 'big.txt');
    assert.equal(big.status, 413);
    assert.equal(big.body.code, 'E_DOCUMENT_TOO_LARGE');
    const staging = path.join(t.env.BLOB_DIR!, 'staging');
    assert.deepEqual(readdirSync(staging).filter((f) => !f.startsWith('.')), []);
  });

  test('bad form fields name the field', async () => {
    assert.equal((await upload(t.api.url, 'hello', 'a.txt', { tags: '<script>' })).body.errors[0].field, 'tags.0');
    assert.equal((await upload(t.api.url, 'hello', 'a.txt', { title: 'x'.repeat(501) })).body.errors[0].field, 'title');
    const unknown = await upload(t.api.url, 'hello', 'a.txt', { owner: 'me' });
    assert.equal(unknown.status, 400);
    assert.match(JSON.stringify(unknown.body), /owner/);
  });

  test('bad ids, queries and cursors are 400s naming the parameter; unknown ids 404', async () => {
    await expectProblem(await fetch(`${t.api.url}/v1/documents/not-an-id`), 400, 'id');
    await expectProblem(await fetch(`${t.api.url}/v1/documents/${'0'.repeat(64)}`), 404);
    await expectProblem(await fetch(`${t.api.url}/v1/documents/${'0'.repeat(64)}/reingest`, { method: 'POST' }), 404);
    await expectProblem(await fetch(`${t.api.url}/v1/search/semantic`), 400, 'q');
    await expectProblem(await fetch(`${t.api.url}/v1/search/semantic?q=hi&k=0`), 400, 'k');
    await expectProblem(await fetch(`${t.api.url}/v1/search/semantic?q=hi&k=abc`), 400, 'k');
    await expectProblem(await fetch(`${t.api.url}/v1/search/semantic?q=${'长'.repeat(1001)}`), 400, 'q');
    await expectProblem(await fetch(`${t.api.url}/v1/documents?cursor=bm9wZQ`), 400, 'cursor');
    await expectProblem(await fetch(`${t.api.url}/v1/documents?status=lost`), 400, 'status');
    await expectProblem(await fetch(`${t.api.url}/v1/documents?limit=100000`), 400, 'limit');
    await expectProblem(await fetch(`${t.api.url}/v1/nowhere`), 404);
  });

  // Files that look right at upload but cannot be read: the workflow fails fast, without retries, and says why.
  const unreadable: [string, () => Promise<Buffer>, string][] = [
    ['an encrypted PDF', async () => buildPdf([{ lines: ['secret'] }], { encrypt: { userPassword: 'pw', ownerPassword: 'owner' } }), 'E_ENCRYPTED_PDF'],
    ['a PDF without text (a scan)', async () => buildPdf([{ rectangle: true }]), 'E_NO_TEXT'],
    ['a truncated PDF', async () => buildPdf([{ lines: ['cut short'] }]).subarray(0, 60), 'E_CORRUPT_DOCUMENT'],
    ['a docx decompression bomb', async () => buildDocx(['x'], [{ name: 'word/media/a.bin', deflated: await deflatedZeros(300 * 1024 * 1024) }]), 'E_DECOMPRESSION_BOMB'],
  ];
  for (const [what, build, code] of unreadable) {
    test(`${what} ends as a failed document with ${code}, tried once`, async () => {
      const { status, body } = await upload(t.api.url, await build(), 'upload.bin');
      assert.equal(status, 202, JSON.stringify(body));
      const doc = await waitForDocument(t.api.url, body.id);
      assert.equal(doc.status, 'failed');
      assert.equal(doc.error.code, code);
      assert.ok(doc.error.message.length > 0);
      const chunks = await t.platform.db.query<{ n: number }>('select count(*) as n from chunks where document_id = $1', [body.id]);
      assert.equal(chunks.rows[0]!.n, 0);
      const run = temporal.workflow.getHandle(body.workflowId);
      await assert.rejects(run.result()); // the document row records failure just before the run ends
      assert.equal((await run.describe()).status.name, 'FAILED');
      const { events } = await run.fetchHistory();
      const attempts = (events ?? []).flatMap((e) => (e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt] : []));
      assert.ok(attempts.length > 0 && attempts.every((a) => a === 1), `activity attempts: ${attempts}`);
    });
  }

  test('a zip that is not a Word document is refused at upload', async () => {
    const zip = buildZip([{ name: 'notes.txt', data: Buffer.from('hello') }]);
    const { status, body } = await upload(t.api.url, zip, 'report.docx');
    assert.equal(status, 415);
    assert.equal(body.code, 'E_UNSUPPORTED_TYPE');
  });

  test('after all that the platform still ingests and reports ready', async () => {
    assert.equal((await fetch(`${t.api.url}/healthz`)).status, 200);
    const ready = await fetch(`${t.api.url}/readyz`);
    assert.equal(ready.status, 200, await ready.clone().text());
    const { status, body } = await upload(t.api.url, '平台仍然可以正常工作。The platform still works.', 'ok.txt');
    assert.equal(status, 202);
    assert.equal((await waitForDocument(t.api.url, body.id)).status, 'ready');
  });

  test('the OpenAPI document and its browsable UI are served', async () => {
    const spec = (await (await fetch(`${t.api.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    assert.equal(spec.openapi, '3.1.0');
    assert.ok(spec.paths['/v1/documents'] && spec.paths['/v1/search/semantic']);
    const ui = await fetch(`${t.api.url}/docs/`);
    assert.equal(ui.status, 200);
    assert.match(await ui.text(), /swagger-ui/i);
  });
});

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { postJson, postMultipart } from '../helpers/multipart.ts';
import { startTestPlatform, upload, waitForDocument, type TestPlatform } from '../helpers/platform.ts';

/** File names, front matter and JSON uploads, through the real API, worker and model. */
describe('names and metadata', () => {
  let t: TestPlatform;
  // Content ids are per knowledge base, and runs are per task queue: one run's bytes are its own.
  const run = randomUUID();
  const stagingLeft = () => readdirSync(path.join(t.env.BLOB_DIR!, 'staging')).filter((f) => !f.startsWith('.'));

  before(async () => {
    t = await startTestPlatform('pglite', { env: { MAX_JSON_UPLOAD_SIZE: '64kb' } });
  });
  after(async () => {
    await t?.close();
  });

  test('Chinese file names survive as curl and browsers send them', async () => {
    const enc = encodeURIComponent('盘点通知.txt');
    const cases: { client: string; disposition: string; expected: string }[] = [
      // curl -F file=@盘点通知.txt: raw UTF-8 bytes inside filename="…"
      { client: 'curl', disposition: 'name="file"; filename="盘点通知.txt"', expected: '盘点通知.txt' },
      // Chrome/Firefox: raw UTF-8, with " escaped as %22 (HTML form encoding)
      { client: 'browser', disposition: 'name="file"; filename="年度%22盘点%22通知.txt"', expected: '年度"盘点"通知.txt' },
      // RFC 5987 / 6266: filename* wins over the ASCII fallback
      { client: 'rfc5987', disposition: `name="file"; filename="fallback.txt"; filename*=UTF-8''${enc}`, expected: '盘点通知.txt' },
      // clients that percent-encode the whole UTF-8 name inside filename="…"
      { client: 'percent', disposition: `name="file"; filename="${enc}"`, expected: '盘点通知.txt' },
      // a person's ASCII name with a literal %25 is left alone
      { client: 'literal', disposition: 'name="file"; filename="100%25 done.txt"', expected: '100%25 done.txt' },
      // a path is cut to its last segment: a name is a label, never a path
      { client: 'path', disposition: 'name="file"; filename="C:\\\\Users\\\\王\\\\..\\\\盘点.txt"', expected: '盘点.txt' },
    ];
    for (const c of cases) {
      const boundary = `----WebKitFormBoundary${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      const { status, body } = await postMultipart(t.api.url, boundary, [
        { disposition: 'name="tags"', body: 'names' },
        { disposition: c.disposition, contentType: 'text/plain', body: `库存盘点通知（${c.client} ${run}）：请各部门于月底前完成盘点。` },
      ]);
      assert.equal(status, 202, `${c.client}: ${JSON.stringify(body)}`);
      const doc = (await (await fetch(`${t.api.url}/v1/documents/${body.id}`)).json()) as Record<string, any>;
      assert.equal(doc.filename, c.expected, c.client);
    }
  });

  test('front matter names the document, fills tags, lang and metadata, and is never chunk text', async () => {
    const markdown = `---
id: travel-standard-${run}
title: "差旅费用报销标准"
tags: [财务, 差旅]
lang: zh-CN
effective: 2024-07-01
---

# 一、交通

员工出差乘坐火车可报销二等座，飞机经济舱。

# 二、住宿

一线城市每晚不超过六百元。
`;
    const { status, body } = await upload(t.api.url, markdown, 'travel.md');
    assert.equal(status, 202, JSON.stringify(body));
    const doc = await waitForDocument(t.api.url, body.id);
    assert.equal(doc.status, 'ready', JSON.stringify(doc.error));
    assert.equal(doc.title, '差旅费用报销标准');
    assert.deepEqual(doc.tags, ['财务', '差旅']);
    assert.equal(doc.lang, 'zh-CN');
    assert.deepEqual(doc.metadata, { id: `travel-standard-${run}`, effective: '2024-07-01' });
    assert.equal(doc.knowledgeBase, 'default');
    const { rows } = await t.platform.db.query<{ text: string }>('select text from chunks where document_id = $1 order by idx', [body.id]);
    assert.ok(rows.length >= 1);
    assert.ok(rows[0]!.text.startsWith('# 一、交通'), rows[0]!.text);
    assert.ok(rows.every((r) => !r.text.includes('travel-standard') && !r.text.includes('---')));
  });

  test('upload fields win over front matter; metadata keys merge, the upload keys first', async () => {
    const markdown = `+++\ntitle = "Front title"\ntags = ["front"]\nlang = "en"\nowner = "front"\nreview = "yearly"\n+++\n# Heading\n\nRetention ${run}: seven years.\n`;
    const { body } = await upload(t.api.url, markdown, 'r.md', {
      title: 'Upload title',
      tags: 'upload,policy',
      lang: 'en-GB',
      metadata: JSON.stringify({ owner: 'upload', ticket: 42 }),
    });
    const doc = await waitForDocument(t.api.url, body.id);
    assert.equal(doc.status, 'ready');
    assert.deepEqual(
      [doc.title, doc.tags, doc.lang, doc.metadata],
      ['Upload title', ['upload', 'policy'], 'en-GB', { owner: 'upload', ticket: 42, review: 'yearly' }],
    );
  });

  test('an HTML <title> names its document', async () => {
    const html = `<html><head><title>员工手册 ${run}</title></head><body><h1>第一章</h1><p>欢迎加入公司。</p></body></html>`;
    const { body } = await upload(t.api.url, html, 'handbook.html');
    const doc = await waitForDocument(t.api.url, body.id);
    assert.deepEqual([doc.status, doc.title, doc.type], ['ready', `员工手册 ${run}`, 'html']);
  });

  test('JSON upload: same pipeline, same sniffing, same duplicate rule as multipart', async () => {
    const text = `# 报销流程\n\n提交发票后五个工作日内到账。${run}`;
    const { status, body, headers } = await postJson(t.api.url, '/v1/documents', {
      filename: '../../etc/报销流程.md',
      title: '报销流程',
      tags: ['财务'],
      lang: 'zh',
      metadata: { source: { system: 'oa', id: 7 } },
      contentBase64: Buffer.from(text).toString('base64'),
    });
    assert.equal(status, 202, JSON.stringify(body));
    assert.equal(headers.get('location'), `/v1/documents/${body.id}`);
    const doc = await waitForDocument(t.api.url, body.id);
    assert.deepEqual(
      [doc.status, doc.filename, doc.type, doc.title, doc.tags, doc.lang, doc.metadata],
      ['ready', '报销流程.md', 'md', '报销流程', ['财务'], 'zh', { source: { system: 'oa', id: 7 } }],
    );
    const again = await upload(t.api.url, text, 'other.md');
    assert.deepEqual([again.status, again.body.id, again.body.duplicate], [200, body.id, true]);
  });

  test('JSON upload: strict schema, real base64, bounded metadata and body, nothing left in staging', async () => {
    const content = Buffer.from(`bad input ${run}`).toString('base64');
    const expect400 = async (input: unknown, field: string) => {
      const { status, body } = await postJson(t.api.url, '/v1/documents', input);
      assert.equal(status, 400, JSON.stringify(body));
      assert.equal(body.code, 'E_VALIDATION');
      assert.ok(body.errors.some((e: { field: string }) => e.field === field), `${field} in ${JSON.stringify(body)}`);
    };
    await expect400({ contentBase64: content, path: '/etc/passwd' }, '(body)');
    await expect400({ filename: 'a.txt' }, 'contentBase64');
    await expect400({ contentBase64: 'not base64!' }, 'contentBase64');
    await expect400({ contentBase64: 'YWJj-_8=' }, 'contentBase64'); // base64url is not base64
    await expect400({ contentBase64: content, metadata: [1, 2] }, 'metadata');
    await expect400({ contentBase64: content, metadata: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } } }, 'metadata');
    await expect400({ contentBase64: content, metadata: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])) }, 'metadata');
    await expect400({ contentBase64: content, lang: 'not a language' }, 'lang');
    await expect400({ contentBase64: content, knowledgeBase: 'Not_A_Slug' }, 'knowledgeBase');
    await expect400({ contentBase64: content, tags: ['ok', 'bad!tag'] }, 'tags.1');
    await expect400('{"contentBase64": ', '(body)');

    const tooLarge = await postJson(t.api.url, '/v1/documents', { contentBase64: Buffer.alloc(80 * 1024, 97).toString('base64') });
    assert.deepEqual([tooLarge.status, tooLarge.body.code], [413, 'E_DOCUMENT_TOO_LARGE']);
    const unknownKb = await postJson(t.api.url, '/v1/documents', { contentBase64: content, knowledgeBase: 'no-such-kb' });
    assert.deepEqual([unknownKb.status, unknownKb.body.code], [404, 'E_KNOWLEDGE_BASE_NOT_FOUND']);
    const empty = await postJson(t.api.url, '/v1/documents', { contentBase64: '' });
    assert.deepEqual([empty.status, empty.body.code], [422, 'E_EMPTY_DOCUMENT']);

    const text = await fetch(`${t.api.url}/v1/documents`, { method: 'POST', body: 'plain', headers: { 'content-type': 'text/plain' } });
    assert.equal(text.status, 415);
    assert.deepEqual(stagingLeft(), []);
  });

  test('multipart: metadata must be a JSON object, and an unknown knowledge base leaves nothing behind', async () => {
    const bad = await upload(t.api.url, `x ${run}`, 'x.txt', { metadata: '{not json' });
    assert.equal(bad.status, 400);
    assert.ok(bad.body.errors.some((e: { field: string }) => e.field === 'metadata'));
    const unknown = await upload(t.api.url, `y ${run}`, 'y.txt', { knowledgeBase: 'missing' });
    assert.deepEqual([unknown.status, unknown.body.code], [404, 'E_KNOWLEDGE_BASE_NOT_FOUND']);
    assert.deepEqual(stagingLeft(), []);
  });
});

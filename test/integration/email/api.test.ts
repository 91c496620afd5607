/**
 * The email API end to end: API keys on, the real worker sending through the real
 * MailDev (read back over its REST API), PostgreSQL. Each test writes to its own
 * unique addresses, since MailDev is shared by every suite and never cleared.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { loadGeneratedErp } from '../../../lib/erp/generate-load.ts';
import { mailTo, rawMail, waitForMail, type DeliveredMail } from '../../helpers/maildev.ts';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.ts';

type Json = Record<string, any>;
const unique = (label: string) => `${label}-${randomUUID().slice(0, 8)}@example.com`;

const welcome = {
  name: '欢迎邮件 Welcome',
  description: 'zh-CN and en, escaped variables',
  defaultLocale: 'zh-CN',
  locales: {
    'zh-CN': { subject: '欢迎，{{name}}', text: '{{name}}，您好！您的订单 {{order.id}} 已发货。', html: '<p>{{name}}，您好！</p><ul>{{#items}}<li>{{title}}</li>{{/items}}</ul>' },
    en: { subject: 'Welcome, {{name}}', text: 'Hello {{name}}, order {{order.id}} has shipped.', html: '<p>Hello {{name}}</p><ul>{{#items}}<li>{{title}}</li>{{/items}}</ul>' },
  },
};

describe('email API', () => {
  let t: TestPlatform;
  let operatorKey: string;
  let otherKey: string;
  let searchOnlyKey: string;
  let reportId: string;
  let reportBytes: number;
  let documentId: string;
  let documentBytes: number;

  const call = (key: string) => async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${t.api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Json, headers: response.headers };
  };
  const api = (...args: Parameters<ReturnType<typeof call>>) => call(operatorKey)(...args);
  const fieldsOf = (r: { body: Json }) => ((r.body.errors ?? []) as { field: string }[]).map((e) => e.field);
  const assertRefused = (r: { status: number; body: Json; headers: Headers }, field: string) => {
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.ok(fieldsOf(r).includes(field), `expected ${field} among ${JSON.stringify(r.body.errors)}`);
  };
  const waitForEmail = async (id: string, timeoutMs = 60_000): Promise<Json> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await api('GET', `/v1/emails/${id}`);
      if (!['queued', 'sending'].includes(body.status)) return body;
      if (Date.now() > deadline) throw new Error(`email ${id} still ${body.status} after ${timeoutMs} ms: ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  };

  before(async () => {
    t = await startTestPlatform('postgres', { env: { AUTH: 'on' } });
    operatorKey = t.api.createdOperatorKey!;
    assert.ok(operatorKey, 'no operator key');
    const newKey = async (tenant: string, scopes: string[]) => {
      const r = await api('POST', '/v1/api-keys', { name: `email ${tenant} ${scopes.join(' ')}`, scopes, tenant });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.key as string;
    };
    otherKey = await newKey('acme', ['email', 'documents:write']);
    searchOnlyKey = await newKey('default', ['search']);
    // A real report artifact (csv) and a real uploaded document to attach.
    await loadGeneratedErp(t.platform.db, { orders: 2_000, seed: 'email-api' });
    const report = await api('POST', '/v1/reports', {
      title: '地区收入 Revenue by region',
      source: 'orders',
      dimensions: ['region'],
      measures: [{ field: 'revenue', agg: 'sum', as: 'revenue' }],
      formats: ['csv'],
    });
    assert.equal(report.status, 202, JSON.stringify(report.body));
    reportId = report.body.id;
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('# 员工手册\n\n年假十五天。Annual leave is fifteen days.\n')]), 'handbook.md');
    const uploaded = await fetch(`${t.api.url}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${operatorKey}` }, body: form });
    const document = (await uploaded.json()) as Json;
    assert.equal(uploaded.status, 202, JSON.stringify(document));
    documentId = document.id;
    for (const deadline = Date.now() + 120_000; ; ) {
      const { body } = await api('GET', `/v1/reports/${reportId}`);
      if (body.status === 'succeeded') {
        reportBytes = body.artifacts[0].bytes;
        break;
      }
      assert.ok(['queued', 'running'].includes(body.status) && Date.now() < deadline, `report ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    documentBytes = (await api('GET', `/v1/documents/${documentId}`)).body.sizeBytes;
  });
  after(async () => t?.close());

  test('templates: create, read, list, replace, delete; broken ones refused naming the part', async () => {
    const created = await api('POST', '/v1/email-templates', { ...welcome, name: 'crud' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.id, /^etpl_[0-9a-f]{24}$/);
    assert.equal(created.headers.get('location'), `/v1/email-templates/${created.body.id}`);
    assert.deepEqual(created.body.locales, welcome.locales);
    assert.equal((await api('POST', '/v1/email-templates', { ...welcome, name: 'crud' })).status, 409, 'the name is taken');
    assert.deepEqual((await api('GET', `/v1/email-templates/${created.body.id}`)).body, created.body);
    assert.ok((await api('GET', '/v1/email-templates')).body.items.some((i: Json) => i.id === created.body.id));
    const replaced = await api('PUT', `/v1/email-templates/${created.body.id}`, { ...welcome, name: 'crud', defaultLocale: 'en' });
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
    assert.equal(replaced.body.defaultLocale, 'en');
    // Another tenant sees none of it.
    assert.equal((await call(otherKey)('GET', `/v1/email-templates/${created.body.id}`)).status, 404);
    assert.equal((await call(otherKey)('DELETE', `/v1/email-templates/${created.body.id}`)).status, 404);

    const broken = (locales: Json, extra: Json = {}) => api('POST', '/v1/email-templates', { name: 'broken', defaultLocale: 'en', locales, ...extra });
    assertRefused(await broken({ en: { subject: 'x', html: '<p>{{{raw}}}</p>' } }), 'locales.en.html');
    assertRefused(await broken({ en: { subject: 'x', text: '{{#open}} never closed' } }), 'locales.en.text');
    assertRefused(await broken({ en: { subject: 'line\r\nBcc: v@example.com', text: 't' } }), 'locales.en.subject');
    assertRefused(await broken({ en: { subject: 'no body' } }), 'locales.en.text');
    assertRefused(await broken({ en: { subject: 's', text: 't' } }, { defaultLocale: 'zh-CN' }), 'defaultLocale');
    assertRefused(await broken({ 'not a locale!': { subject: 's', text: 't' } }), 'locales.not a locale!');

    assert.equal((await api('DELETE', `/v1/email-templates/${created.body.id}`)).status, 204);
    assert.equal((await api('GET', `/v1/email-templates/${created.body.id}`)).status, 404);
  });

  test('a zh-CN and an en template message reach MailDev: variables escaped in html, bcc in the envelope only', async () => {
    const template = await api('POST', '/v1/email-templates', welcome);
    assert.equal(template.status, 201, JSON.stringify(template.body));
    const [zhTo, cc, bcc, enTo] = [unique('zh'), unique('cc'), unique('bcc'), unique('en')];
    const data = { name: '<b>李雷</b> & "Co"', order: { id: 'SO-1001' }, items: [{ title: '<script>alert(1)</script>' }, { title: '茶叶' }] };
    const zh = await api('POST', '/v1/emails', { to: [`李雷 <${zhTo}>`], cc: [{ name: 'Han Meimei', email: cc }], bcc: [bcc], template: welcome.name, data });
    assert.equal(zh.status, 202, JSON.stringify(zh.body));
    assert.deepEqual(Object.keys(zh.body).sort(), ['id', 'status', 'workflowId']);
    assert.equal(zh.body.status, 'queued');
    assert.equal(zh.body.workflowId, `email-${zh.body.id}`);
    const en = await api('POST', '/v1/emails', { to: [enTo], template: template.body.id, locale: 'en-US', data });
    assert.equal(en.status, 202, JSON.stringify(en.body));

    const [zhMail] = await waitForMail(() => mailTo(zhTo));
    assert.equal(zhMail!.subject, '欢迎，<b>李雷</b> & "Co"', 'the subject prints values as given');
    assert.match(zhMail!.html ?? '', /&lt;b&gt;李雷&lt;&#x2F;b&gt; &amp; &quot;Co&quot;，您好！/);
    assert.match(zhMail!.html ?? '', /<li>&lt;script&gt;alert\(1\)&lt;&#x2F;script&gt;<\/li><li>茶叶<\/li>/);
    assert.ok(!(zhMail!.html ?? '').includes('<script>'), 'no unescaped markup from data');
    assert.match(zhMail!.text ?? '', /订单 SO-1001 已发货/);
    assert.deepEqual(zhMail!.to?.map((a) => [a.name, a.address.toLowerCase()]), [['李雷', zhTo]]);
    assert.deepEqual(zhMail!.cc?.map((a) => a.address.toLowerCase()), [cc]);
    const envelope = zhMail!.envelope.to.map((r) => r.address.toLowerCase()).sort();
    assert.deepEqual(envelope, [zhTo, cc, bcc].sort(), 'bcc is in the SMTP envelope');
    const source = await rawMail(zhMail!.id);
    assert.ok(!source.toLowerCase().includes(bcc), 'bcc appears in no header');
    assert.ok(!/^bcc:/im.test(source), 'no Bcc header');

    const status = await waitForEmail(zh.body.id);
    assert.equal(status.status, 'sent', JSON.stringify(status));
    assert.deepEqual(status.template, { id: template.body.id, locale: 'zh-CN' });
    assert.deepEqual(
      status.recipients.map((r: Json) => [r.email, r.kind, r.status]).sort(),
      [[zhTo, 'to', 'accepted'], [cc, 'cc', 'accepted'], [bcc, 'bcc', 'accepted']].sort(),
    );
    assert.equal(status.messages.length, 1);
    assert.equal(zhMail!.headers['message-id'], status.messages[0].messageId, 'the deterministic Message-ID is the one delivered');

    const [enMail] = await waitForMail(() => mailTo(enTo));
    assert.equal(enMail!.subject, 'Welcome, <b>李雷</b> & "Co"');
    assert.match(enMail!.text ?? '', /^Hello <b>李雷<\/b> & "Co", order SO-1001 has shipped\./);
    assert.equal((await waitForEmail(en.body.id)).template.locale, 'en', 'en-US falls back to en');
  });

  test('a report artifact and a document arrive as attachments; an individual send has a message and status per recipient', async () => {
    const to = unique('attach');
    const sent = await api('POST', '/v1/emails', {
      to: [to],
      subject: '月报 Monthly report',
      text: 'Attached: the report and the handbook.',
      attachments: [{ reportId, format: 'csv' }, { documentId }],
    });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const [mail] = await waitForMail(() => mailTo(to));
    const files = mail!.attachments ?? [];
    assert.equal(files.length, 2, JSON.stringify(mail!.attachments));
    assert.match(files[0]!.filename ?? '', /\.csv$/);
    assert.equal(files[0]!.size, reportBytes, 'the whole csv artifact');
    assert.equal(files[1]!.filename, 'handbook.md');
    assert.equal(files[1]!.size, documentBytes, 'the document as uploaded');
    // The bytes themselves: the artifact as the API serves it is in the message, base64-encoded.
    const artifact = Buffer.from(await (await fetch(`${t.api.url}/v1/reports/${reportId}/artifacts/csv`, { headers: { authorization: `Bearer ${operatorKey}` } })).arrayBuffer());
    const source = (await rawMail(mail!.id)).replace(/\r?\n/g, '');
    assert.ok(source.includes(artifact.toString('base64')), 'the csv bytes are in the message');
    assert.ok(source.includes(Buffer.from('# 员工手册\n\n年假十五天。Annual leave is fifteen days.\n').toString('base64')), 'the document bytes are in the message');
    assert.equal((await waitForEmail(sent.body.id)).status, 'sent');

    const [a, b] = [unique('each-a'), unique('each-b')];
    const batch = await api('POST', '/v1/emails', { to: [a, b], subject: 'One each', text: 'Only to you.', mode: 'individual' });
    assert.equal(batch.status, 202, JSON.stringify(batch.body));
    const [mailA] = await waitForMail(() => mailTo(a));
    const [mailB] = await waitForMail(() => mailTo(b));
    assert.deepEqual(mailA!.envelope.to.map((r) => r.address.toLowerCase()), [a]);
    assert.deepEqual(mailB!.envelope.to.map((r) => r.address.toLowerCase()), [b]);
    assert.notEqual(mailA!.headers['message-id'], mailB!.headers['message-id']);
    const status = await waitForEmail(batch.body.id);
    assert.equal(status.status, 'sent');
    assert.deepEqual(status.recipients.map((r: Json) => [r.email, r.status, r.messageId]), [
      [a, 'accepted', mailA!.headers['message-id']],
      [b, 'accepted', mailB!.headers['message-id']],
    ]);
  });

  test('bad input is a 400 naming the field; nothing is sent', async () => {
    const to = unique('refused');
    const base = { to: [to], subject: 'Refused', text: 'never sent' };
    const cases: [Json, string][] = [
      [{ ...base, to: ['not-an-address'] }, 'to.0'],
      [{ ...base, to: [{ name: 'Eve\r\nBcc: victim@example.com', email: to }] }, 'to.0.name'],
      [{ ...base, cc: [`${unique('cc')}\nBcc: victim@example.com`] }, 'cc.0'],
      [{ ...base, bcc: [{ email: 'x@example.com\r\n' }] }, 'bcc.0.email'],
      [{ ...base, subject: 'Hi\r\nBcc: victim@example.com' }, 'subject'],
      [{ ...base, headers: { Bcc: 'victim@example.com' } }, 'headers'],
      [{ ...base, from: 'ceo@example.com' }, 'from'],
      [{ ...base, attachments: [{ path: '/etc/passwd' }] }, 'attachments.0'],
      [{ ...base, attachments: [{ reportId: 'rpt_000000000000000000000000', format: 'csv' }] }, 'attachments.0.reportId'],
      [{ ...base, attachments: [{ reportId, format: 'pdf' }] }, 'attachments.0.format'],
      [{ ...base, attachments: [{ documentId: '0'.repeat(64) }] }, 'attachments.0.documentId'],
      [{ to: [to], template: 'no such template', data: {} }, 'template'],
      [{ to: [to], template: welcome.name, data: { name: 'x', items: [] } }, 'data.order'],
      [{ to: [to], template: welcome.name, data: { name: 'x\r\nBcc: victim@example.com', order: {} } }, 'data.name'],
      [{ ...base, mode: 'individual', cc: [unique('cc')] }, 'cc'],
      [{ ...base, to: [] }, 'to'],
    ];
    for (const [body, field] of cases) assertRefused(await api('POST', '/v1/emails', body), field);
    assertRefused(await api('POST', '/v1/emails', base, { 'idempotency-key': 'has space' }), 'Idempotency-Key');
    const tooLarge = await api('POST', '/v1/emails', { ...base, text: 'x'.repeat(3 * 1024 * 1024) });
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.body.code, 'E_BODY_TOO_LARGE');
    assert.equal((await call(searchOnlyKey)('POST', '/v1/emails', base)).status, 403, 'the email scope is needed');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(await mailTo(to), [], 'nothing reached the mail server');
  });

  test('an idempotency key makes a repeat the same email, sent once; another body under it is a 409', async () => {
    const to = unique('once');
    const key = `email-test-${randomUUID()}`;
    const body = { to: [to], subject: 'Exactly once', text: 'One message, whatever the retries.' };
    const first = await api('POST', '/v1/emails', body, { 'idempotency-key': key });
    assert.equal(first.status, 202, JSON.stringify(first.body));
    const again = await api('POST', '/v1/emails', body, { 'idempotency-key': key });
    assert.equal(again.body.id, first.body.id);
    const inBody = await api('POST', '/v1/emails', { text: body.text, subject: body.subject, to: [to.replace('@example.com', '@EXAMPLE.COM')], cc: [], idempotencyKey: key });
    assert.equal(inBody.status, 202, 'the key in the body, fields in another order, defaults spelled out: the same request');
    assert.equal(inBody.body.id, first.body.id);
    const other = await api('POST', '/v1/emails', { ...body, subject: 'Something else' }, { 'idempotency-key': key });
    assert.equal(other.status, 409, JSON.stringify(other.body));
    assert.equal(other.body.code, 'E_IDEMPOTENCY_KEY_REUSED');
    assertRefused(await api('POST', '/v1/emails', { ...body, idempotencyKey: 'other' }, { 'idempotency-key': key }), 'idempotencyKey');
    assert.equal((await waitForEmail(first.body.id)).status, 'sent');
    const repeatAfterSent = await api('POST', '/v1/emails', body, { 'idempotency-key': key });
    assert.equal(repeatAfterSent.body.id, first.body.id);
    assert.equal(repeatAfterSent.body.status, 'sent');
    // A repeat is answered from what was accepted: the template it used may be gone by now.
    const short = await api('POST', '/v1/email-templates', { name: 'short-lived', defaultLocale: 'en', locales: { en: { subject: 'Hi {{who}}', text: 'Hello' } } });
    const templated = { to: [unique('templated')], template: 'short-lived', data: { who: 'you' } };
    const firstTemplated = await api('POST', '/v1/emails', templated, { 'idempotency-key': `${key}-t` });
    assert.equal(firstTemplated.status, 202, JSON.stringify(firstTemplated.body));
    assert.equal((await api('DELETE', `/v1/email-templates/${short.body.id}`)).status, 204);
    const repeatTemplated = await api('POST', '/v1/emails', templated, { 'idempotency-key': `${key}-t` });
    assert.deepEqual([repeatTemplated.status, repeatTemplated.body.id], [202, firstTemplated.body.id]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const delivered: DeliveredMail[] = await mailTo(to);
    assert.equal(delivered.length, 1, 'MailDev holds the message once');
  });

  test('another tenant finds none of it: 404 for the email, 400 for the document and the template', async () => {
    const to = unique('mine');
    const mine = await api('POST', '/v1/emails', { to: [to], subject: 'Mine', text: 'default tenant' });
    assert.equal(mine.status, 202);
    const other = call(otherKey);
    const read = await other('GET', `/v1/emails/${mine.body.id}`);
    assert.equal(read.status, 404);
    assert.equal(read.body.code, 'E_EMAIL_NOT_FOUND');
    assert.ok(!(await other('GET', '/v1/emails')).body.items.some((i: Json) => i.id === mine.body.id));
    assertRefused(await other('POST', '/v1/emails', { to: [unique('x')], subject: 's', text: 't', attachments: [{ documentId }] }), 'attachments.0.documentId');
    assertRefused(await other('POST', '/v1/emails', { to: [unique('x')], template: welcome.name, data: {} }), 'template');
    // The owner reads it and finds it in the list, paging with the signed cursor.
    const page = await api('GET', '/v1/emails?limit=1');
    assert.equal(page.status, 200);
    assert.equal(page.body.items.length, 1);
    assert.ok(page.body.nextCursor);
    const next = await api('GET', `/v1/emails?limit=100&cursor=${encodeURIComponent(page.body.nextCursor)}`);
    assert.ok(![page.body.items[0].id].some((id) => next.body.items.some((i: Json) => i.id === id)), 'pages do not overlap');
    assertRefused(await api('GET', '/v1/emails?cursor=abc.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), 'cursor');
  });
});

/** SMTP failure classification, composing a message (header injection refused again) and the email's folded status. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { composeMessage, envelopeRecipients } from '../../../lib/email/compose.ts';
import { foldStatus, plannedMessages } from '../../../lib/email/outbox.ts';
import { classifySmtpError } from '../../../lib/email/smtp-errors.ts';
import type { EmailDraft, OutboxMessage } from '../../../lib/email/types.ts';

test('5xx answers are permanent; 4xx answers and network faults are transient', () => {
  assert.deepEqual(
    [550, 554, 535].map((responseCode) => classifySmtpError({ code: 'EENVELOPE', responseCode, command: 'RCPT TO', response: `${responseCode} no` }).kind),
    ['permanent', 'permanent', 'permanent'],
  );
  const deferred = classifySmtpError({ code: 'EENVELOPE', responseCode: 451, command: 'RCPT TO', response: '451 later' });
  assert.equal(deferred.kind, 'transient');
  assert.equal(deferred.accepted, 'no', 'a refusal means the server holds nothing');
  assert.equal(deferred.code, 'E_SMTP_TRANSIENT');
});

test('a connection lost before DATA is known not delivered; during or after DATA it is unknown', () => {
  assert.equal(classifySmtpError({ code: 'ECONNECTION', command: 'CONN' }).accepted, 'unknown');
  assert.equal(classifySmtpError({ code: 'ETIMEDOUT', command: 'DATA' }).accepted, 'unknown');
  assert.equal(classifySmtpError(new Error('socket hang up')).accepted, 'unknown');
  assert.equal(classifySmtpError({ code: 'ECONNECTION', command: 'EHLO' }).accepted, 'no');
  assert.equal(classifySmtpError({ code: 'ESOCKET', command: 'MAIL FROM' }).kind, 'transient');
  assert.equal(classifySmtpError({ code: 'EMESSAGE_SIZE' }).kind, 'permanent');
});

const draft = (fields: Partial<EmailDraft> = {}): EmailDraft => ({
  to: [{ email: 'a@example.test', name: '张三' }, { email: 'b@example.test' }],
  cc: [{ email: 'c@example.test' }],
  bcc: [{ email: 'hidden@example.test' }],
  subject: 'Quarterly report 季度报告',
  text: 'hello',
  attachments: [],
  mode: 'single',
  ...fields,
});

const compose = (d: EmailDraft, seq = 0) =>
  composeMessage({ draft: d, seq, messageId: '<em_1.0@aistack.local>', from: 'AI Stack <noreply@aistack.local>', date: new Date(0), attachments: [] });

test('compose: Bcc reaches the envelope only, the Message-ID is the given one', async () => {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const info = await transport.sendMail(compose(draft()));
  const source = (info.message as Buffer).toString();
  assert.match(source, /^Message-ID: <em_1\.0@aistack\.local>$/m);
  assert.doesNotMatch(source, /hidden@example\.test/);
  assert.deepEqual(info.envelope.to.sort(), ['a@example.test', 'b@example.test', 'c@example.test', 'hidden@example.test']);
  assert.deepEqual(envelopeRecipients(draft(), 0), ['a@example.test', 'b@example.test', 'c@example.test', 'hidden@example.test']);
});

test('compose refuses CR, LF or NUL in any header value, naming the field', () => {
  const cases: [Partial<EmailDraft>, RegExp][] = [
    [{ subject: 'hi\r\nBcc: x@evil.test' }, /^subject/],
    [{ to: [{ email: 'a@example.test', name: 'x\nBcc: y@evil.test' }] }, /^to\[0\]\.name/],
    [{ cc: [{ email: 'c@example.test\r\nX: y' }] }, /^cc\[0\]\.email/],
    [{ bcc: [{ email: 'b@example.test', name: 'nul\0' }] }, /^bcc\[0\]\.name/],
  ];
  for (const [fields, field] of cases) {
    assert.throws(() => compose(draft(fields)), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'E_EMAIL_INVALID');
      assert.match(error.message, field);
      return true;
    });
  }
});

test('individual mode: one message per `to` recipient, each to that recipient alone', () => {
  const d = draft({ cc: [], bcc: [], mode: 'individual' });
  assert.deepEqual(plannedMessages(d).map((m) => m.map((r) => r.email)), [['a@example.test'], ['b@example.test']]);
  const second = compose(d, 1);
  assert.deepEqual(second.to, ['b@example.test']);
  assert.equal(second.cc, undefined);
});

const message = (state: OutboxMessage['state'], statuses: OutboxMessage['recipients'][number]['status'][]): OutboxMessage => ({
  emailId: 'em_1',
  seq: 0,
  messageId: '<em_1.0@x>',
  state,
  attempts: 1,
  recipients: statuses.map((status, i) => ({ email: `r${i}@x.test`, kind: 'to', status })),
});

test('the email status folds its messages', () => {
  assert.equal(foldStatus([message('sent', ['accepted', 'accepted'])]), 'sent');
  assert.equal(foldStatus([message('sent', ['accepted', 'rejected'])]), 'partial');
  assert.equal(foldStatus([message('failed', ['rejected'])]), 'failed');
  assert.equal(foldStatus([message('uncertain', ['uncertain'])]), 'uncertain');
  assert.equal(foldStatus([message('sent', ['accepted']), message('uncertain', ['uncertain'])]), 'partial');
  assert.equal(foldStatus([message('failed', ['failed']), message('uncertain', ['uncertain'])]), 'uncertain');
  assert.equal(foldStatus([message('sending', ['pending'])]), 'sending');
});

/**
 * sendEmail end to end against the real Temporal server, the real database (both engines) and the
 * real MailDev. MailDev accepts everyone, so SMTP refusals are FAULT INJECTION: a loopback proxy
 * (test/helpers/smtp-proxy.ts) rewrites MailDev's answer to one RCPT TO into a 550 (`reject-…`) or,
 * the first time only, a 451 (`tempfail-…`). MailDev itself still received what it accepted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import nodemailer from 'nodemailer';
import { createEmailActivities, type MessageOutcome } from '../../../activities/email.ts';
import { createEmailWorkflows } from '../../../client/emails.ts';
import { newEmailId } from '../../../lib/email/ids.ts';
import { enqueueEmail, getEmail, markSending } from '../../../lib/email/outbox.ts';
import type { EmailDraft, EmailRecord } from '../../../lib/email/types.ts';
import { emailWorkflowId } from '../../../workflows/email-definitions.ts';
import { mailTo, mailWithMessageId, rawMail, waitForMail } from '../../helpers/maildev.ts';
import { engines, startTestPlatform, upload, waitForDocument, type TestPlatform } from '../../helpers/platform.ts';
import { startSmtpProxy, type SmtpProxy } from '../../helpers/smtp-proxy.ts';

const run = randomUUID().slice(0, 8);
const addr = (name: string) => `${name}-${run}-${randomUUID().slice(0, 6)}@example.test`;
/** Runs deliverMessage as an activity would run (with a heartbeat context), outside a workflow. */
const deliverIn = (env: MockActivityEnvironment, activities: ReturnType<typeof createEmailActivities>, input: { emailId: string; seq: number }) =>
  env.run(activities.deliverMessage, input) as Promise<MessageOutcome>;

const maildevSmtp = new URL(process.env.SMTP_URL ?? 'smtp://127.0.0.1:1025');

const draftOf = (fields: Partial<EmailDraft>): EmailDraft => ({
  to: [],
  cc: [],
  bcc: [],
  subject: `delivery test ${run}`,
  text: 'hello',
  attachments: [],
  mode: 'single',
  ...fields,
});

for (const engine of engines) {
  describe(`email delivery (${engine})`, () => {
    let t: TestPlatform;
    let proxy: SmtpProxy;
    let connection: Connection;
    let client: Client;
    const tempfailed = new Set<string>();

    before(async () => {
      proxy = await startSmtpProxy(
        { host: maildevSmtp.hostname, port: Number(maildevSmtp.port) },
        {
          rewrite(command) {
            const rcpt = /^RCPT TO:<([^>]+)>/i.exec(command)?.[1];
            if (rcpt?.startsWith('reject-')) return `550 5.1.1 <${rcpt}>: mailbox unavailable (injected)`;
            if (rcpt?.startsWith('tempfail-') && !tempfailed.has(rcpt)) {
              tempfailed.add(rcpt);
              return `451 4.3.0 <${rcpt}>: try again later (injected)`;
            }
            return undefined;
          },
        },
      );
      t = await startTestPlatform(engine, { env: { SMTP_URL: proxy.url } });
      connection = await Connection.connect({ address: t.platform.config.TEMPORAL_ADDRESS });
      client = new Client({ connection, namespace: t.platform.config.TEMPORAL_NAMESPACE });
    });
    after(async () => {
      await connection?.close();
      await t?.close();
      await proxy?.close();
    });

    /** Enqueues the draft, runs sendEmail to its end, returns the record. */
    async function send(draft: EmailDraft, tenant = 'default'): Promise<EmailRecord> {
      const id = newEmailId();
      await enqueueEmail(t.platform.db, { id, tenant, draft, messageIdDomain: t.platform.config.EMAIL_MESSAGE_ID_DOMAIN, workflowId: emailWorkflowId(id) });
      const workflowId = await createEmailWorkflows(client, t.platform.config.EMAIL_TASK_QUEUE).start(id, tenant);
      assert.equal(workflowId, emailWorkflowId(id));
      await client.workflow.getHandle(workflowId).result();
      return (await getEmail(t.platform.db, tenant, id))!;
    }

    test('one message: To and Cc in the headers, Bcc only in the envelope, a document attached, each recipient accepted', async () => {
      const doc = await upload(t.api.url, `附件内容 attachment ${run}`, 'notes.txt');
      await waitForDocument(t.api.url, doc.body.id as string);
      const [a, b, c, hidden] = [addr('to'), addr('to'), addr('cc'), addr('bcc')];
      const email = await send(
        draftOf({
          to: [{ email: a, name: '张三' }, { email: b }],
          cc: [{ email: c }],
          bcc: [{ email: hidden }],
          subject: `报告 ${run}`,
          html: '<p>你好</p>',
          attachments: [{ documentId: doc.body.id as string }],
        }),
      );
      assert.equal(email.status, 'sent');
      const [message] = email.messages;
      assert.equal(message!.state, 'sent');
      assert.equal(message!.attempts, 1);
      assert.deepEqual(
        message!.recipients.map((r) => [r.email, r.kind, r.status]),
        [
          [a, 'to', 'accepted'],
          [b, 'to', 'accepted'],
          [c, 'cc', 'accepted'],
          [hidden, 'bcc', 'accepted'],
        ],
      );
      const held = await mailWithMessageId(message!.messageId);
      assert.equal(held.length, 1);
      const mail = held[0]!;
      assert.deepEqual(mail.envelope.to.map((r) => r.address).sort(), [a, b, c, hidden].sort());
      assert.equal(mail.subject, `报告 ${run}`);
      assert.equal(mail.to?.[0]?.name, '张三');
      const source = await rawMail(mail.id);
      assert.doesNotMatch(source, /^bcc:/im, 'no Bcc header');
      assert.ok(!source.includes(hidden), 'the Bcc address is nowhere in the message');
      assert.equal(mail.attachments?.length, 1);
      // MailDev 3 names it `filename` (the helper's type predates it) and counts its bytes in `size`.
      const attachment = mail.attachments?.[0];
      assert.equal(attachment?.filename, 'notes.txt');
      assert.equal(attachment?.size, Buffer.byteLength(`附件内容 attachment ${run}`));
    });

    test('individual mode: one message, one Message-ID and one status per `to` recipient', async () => {
      const to = [addr('one'), addr('two'), addr('three')];
      const email = await send(draftOf({ to: to.map((email) => ({ email })), mode: 'individual' }));
      assert.equal(email.status, 'sent');
      assert.equal(email.messages.length, 3);
      assert.equal(new Set(email.messages.map((m) => m.messageId)).size, 3);
      for (const [i, message] of email.messages.entries()) {
        const held = await mailWithMessageId(message.messageId);
        assert.equal(held.length, 1);
        assert.deepEqual(held[0]!.envelope.to.map((r) => r.address), [to[i]]);
      }
    });

    test('a 5xx for one recipient: recorded rejected with the answer, the others accepted, not retried', async () => {
      const [ok, bad] = [addr('ok'), addr('reject')];
      const email = await send(draftOf({ to: [{ email: ok }, { email: bad }] }));
      assert.equal(email.status, 'partial');
      const [message] = email.messages;
      assert.equal(message!.attempts, 1);
      const byEmail = Object.fromEntries(message!.recipients.map((r) => [r.email, r]));
      assert.equal(byEmail[ok]!.status, 'accepted');
      assert.equal(byEmail[bad]!.status, 'rejected');
      assert.match(byEmail[bad]!.detail!, /^550 /);
    });

    test('a 5xx for every recipient: permanent, failed after one attempt', async () => {
      const bad = addr('reject');
      const email = await send(draftOf({ to: [{ email: bad }] }));
      assert.equal(email.status, 'failed');
      assert.equal(email.messages[0]!.state, 'failed');
      assert.equal(email.messages[0]!.attempts, 1);
      assert.equal(email.messages[0]!.error?.code, 'E_SMTP_PERMANENT');
      assert.equal(email.messages[0]!.recipients[0]!.status, 'rejected');
      assert.equal((await mailWithMessageId(email.messages[0]!.messageId)).length, 0);
    });

    test('a 4xx: retried with backoff, then sent once', async () => {
      const later = addr('tempfail');
      const email = await send(draftOf({ to: [{ email: later }] }));
      assert.equal(email.status, 'sent');
      assert.equal(email.messages[0]!.attempts, 2);
      assert.equal((await mailWithMessageId(email.messages[0]!.messageId)).length, 1);
    });

    test('compose refuses header injection and a missing attachment: failed, nothing sent', async () => {
      const victim = addr('inject');
      const injected = await send(draftOf({ to: [{ email: victim, name: 'x\r\nBcc: evil@example.test' }] }));
      assert.equal(injected.status, 'failed');
      assert.equal(injected.messages[0]!.error?.code, 'E_EMAIL_INVALID');
      const missing = await send(draftOf({ to: [{ email: addr('missing') }], attachments: [{ documentId: 'doc_nope' }] }));
      assert.equal(missing.status, 'failed');
      assert.equal(missing.messages[0]!.error?.code, 'E_EMAIL_ATTACHMENT');
      assert.equal((await mailTo(victim)).length, 0);
    });

    test('a message left `sending`: the delivery check finds it and it is not sent again; absent and settled, it is sent once', async () => {
      const db = t.platform.db;
      const domain = t.platform.config.EMAIL_MESSAGE_ID_DOMAIN;
      // Present: a crashed attempt had delivered it (here: handed to MailDev directly with its Message-ID).
      const there = { id: newEmailId(), to: addr('there') };
      const { email } = await enqueueEmail(db, { id: there.id, tenant: 'default', draft: draftOf({ to: [{ email: there.to }] }), messageIdDomain: domain, workflowId: emailWorkflowId(there.id) });
      await markSending(db, there.id, 0);
      const direct = nodemailer.createTransport({ host: maildevSmtp.hostname, port: Number(maildevSmtp.port), secure: false });
      await direct.sendMail({ from: 'noreply@aistack.local', to: there.to, subject: 'crashed attempt', text: 'x', messageId: email.messages[0]!.messageId });
      direct.close();
      const env = new MockActivityEnvironment();
      const activities = createEmailActivities(t.platform);
      try {
        const outcome = await deliverIn(env, activities, { emailId: there.id, seq: 0 });
        assert.equal(outcome.state, 'sent');
        assert.equal((await mailWithMessageId(email.messages[0]!.messageId)).length, 1, 'not sent a second time');

        // Absent and the earlier attempt long over: sent (once).
        const gone = { id: newEmailId(), to: addr('gone') };
        const queued = await enqueueEmail(db, { id: gone.id, tenant: 'default', draft: draftOf({ to: [{ email: gone.to }] }), messageIdDomain: domain, workflowId: emailWorkflowId(gone.id) });
        await markSending(db, gone.id, 0);
        await db.query(`update email_messages set sending_at = now() - interval '10 minutes' where email_id = $1`, [gone.id]);
        assert.equal((await deliverIn(env, activities, { emailId: gone.id, seq: 0 })).state, 'sent');
        assert.equal((await waitForMail(() => mailWithMessageId(queued.email.messages[0]!.messageId))).length, 1);

        // Absent but recent: not sent yet, retried after the earlier attempt must be over.
        const recent = { id: newEmailId(), to: addr('recent') };
        await enqueueEmail(db, { id: recent.id, tenant: 'default', draft: draftOf({ to: [{ email: recent.to }] }), messageIdDomain: domain, workflowId: emailWorkflowId(recent.id) });
        await markSending(db, recent.id, 0);
        await assert.rejects(deliverIn(env, activities, { emailId: recent.id, seq: 0 }), (error: Error & { type?: string; nextRetryDelay?: unknown }) => {
          assert.equal(error.type, 'E_EMAIL_SETTLING');
          assert.ok(error.nextRetryDelay);
          return true;
        });
        assert.equal((await mailTo(recent.to)).length, 0);
      } finally {
        await activities.close();
      }

      // No delivery check configured: `uncertain`, never resent.
      const blind = createEmailActivities(t.platform, { check: null });
      try {
        const unsure = { id: newEmailId(), to: addr('unsure') };
        await enqueueEmail(db, { id: unsure.id, tenant: 'default', draft: draftOf({ to: [{ email: unsure.to }] }), messageIdDomain: domain, workflowId: emailWorkflowId(unsure.id) });
        await markSending(db, unsure.id, 0);
        assert.equal((await deliverIn(env, blind, { emailId: unsure.id, seq: 0 })).state, 'uncertain');
        assert.equal((await mailTo(unsure.to)).length, 0);
      } finally {
        await blind.close();
      }
    });

    test('over the per-domain rate: the activity asks for a retry after the window, it does not fail', async () => {
      const { createDomainRate } = await import('../../../lib/email/domain-rate.ts');
      const rate = createDomainRate({ perMinute: 1, keyPrefix: `test-${randomUUID()}`, windowSeconds: 60 });
      const limited = createEmailActivities(t.platform, { rate });
      const env = new MockActivityEnvironment();
      const domain = `rate-${run}.example.test`;
      try {
        const ids = [newEmailId(), newEmailId()];
        for (const [i, id] of ids.entries()) {
          const draft = draftOf({ to: [{ email: `r${i}@${domain}` }] });
          await enqueueEmail(t.platform.db, { id, tenant: 'default', draft, messageIdDomain: t.platform.config.EMAIL_MESSAGE_ID_DOMAIN, workflowId: emailWorkflowId(id) });
        }
        assert.equal((await deliverIn(env, limited, { emailId: ids[0]!, seq: 0 })).state, 'sent');
        await assert.rejects(deliverIn(env, limited, { emailId: ids[1]!, seq: 0 }), (error: Error & { type?: string; nextRetryDelay?: unknown; nonRetryable?: boolean }) => {
          assert.equal(error.type, 'E_EMAIL_RATE_LIMITED');
          assert.ok(error.nextRetryDelay, 'asks for a delay');
          assert.notEqual(error.nonRetryable, true);
          return true;
        });
        const second = await getEmail(t.platform.db, 'default', ids[1]!);
        assert.equal(second!.messages[0]!.state, 'pending', 'not marked sending: nothing went to SMTP');
      } finally {
        await limited.close();
      }
    });
  });
}

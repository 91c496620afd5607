/**
 * The duplicate-send fault: the real worker process is killed with SIGKILL after MailDev has accepted
 * a message (stored it and answered 250) but before the worker heard the 250, so the activity never
 * completed. A loopback proxy between worker and MailDev (test/helpers/smtp-proxy.ts, FAULT INJECTION)
 * forwards the whole DATA and holds MailDev's final answer until the kill. After a restart MailDev
 * must hold that Message-ID exactly once and the email is `sent`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { createEmailWorkflows } from '../../../client/emails.ts';
import { createEmailWorker } from '../../../worker/email-worker.ts';
import { connectWorker } from '../../../worker/ingest-worker.ts';
import { emailWorkflowId } from '../../../workflows/email-definitions.ts';
import { newEmailId } from '../../../lib/email/ids.ts';
import { enqueueEmail, getEmail } from '../../../lib/email/outbox.ts';
import type { EmailRecord } from '../../../lib/email/types.ts';
import { mailWithMessageId } from '../../helpers/maildev.ts';
import { spawnWorkerProcess, startTestPlatform, type TestPlatform } from '../../helpers/platform.ts';
import { startSmtpProxy, type SmtpProxy } from '../../helpers/smtp-proxy.ts';

const maildevSmtp = new URL(process.env.SMTP_URL ?? 'smtp://127.0.0.1:1025');
const killed = async (worker: ChildProcess) => {
  worker.kill('SIGKILL');
  if (worker.exitCode === null && worker.signalCode === null) await new Promise((resolve) => worker.once('exit', resolve));
};

describe('a worker killed between MailDev accepting a message and the activity completing', () => {
  let t: TestPlatform;
  let proxy: SmtpProxy;
  let connection: Connection;
  let client: Client;
  let worker: ChildProcess | undefined;
  /** Message-IDs whose end-of-DATA answer the proxy holds (once each). */
  const holdFor = new Set<string>();

  before(async () => {
    proxy = await startSmtpProxy(
      { host: maildevSmtp.hostname, port: Number(maildevSmtp.port) },
      {
        holdDataEnd(body) {
          const text = body.toString('latin1');
          for (const id of holdFor) {
            if (text.includes(`Message-ID: ${id}`)) {
              holdFor.delete(id);
              return true;
            }
          }
          return false;
        },
      },
    );
    t = await startTestPlatform('postgres', { withWorker: false, env: { SMTP_URL: proxy.url } });
    connection = await Connection.connect({ address: t.platform.config.TEMPORAL_ADDRESS });
    client = new Client({ connection, namespace: t.platform.config.TEMPORAL_NAMESPACE });
  });
  after(async () => {
    if (worker) await killed(worker);
    await connection?.close();
    await t?.close();
    await proxy?.close();
  });

  /** Starts an email whose one message will be held at the end of DATA; resolves once MailDev holds it and the worker is dead. */
  async function sendAndKillAfterAccept(): Promise<{ id: string; workflowId: string; messageId: string }> {
    const id = newEmailId();
    const to = `crash-${randomUUID()}@example.test`;
    const { email } = await enqueueEmail(t.platform.db, {
      id,
      tenant: 'default',
      draft: { to: [{ email: to }], cc: [], bcc: [], subject: `crash ${id}`, text: 'once', attachments: [], mode: 'single' },
      messageIdDomain: t.platform.config.EMAIL_MESSAGE_ID_DOMAIN,
      workflowId: emailWorkflowId(id),
    });
    const messageId = email.messages[0]!.messageId;
    holdFor.add(messageId);
    const workflowId = await createEmailWorkflows(client, t.platform.config.EMAIL_TASK_QUEUE).start(id, 'default');
    const held = await proxy.nextHeld();
    assert.match(held.reply, /^250 /, 'MailDev accepted the message');
    // MailDev stores a message before it answers 250: it holds it now, and the worker has not heard so.
    assert.equal((await mailWithMessageId(messageId)).length, 1);
    const before = (await getEmail(t.platform.db, 'default', id))!;
    assert.equal(before.messages[0]!.state, 'sending', '`sending` was committed before DATA');
    await killed(worker!);
    worker = undefined;
    held.drop();
    return { id, workflowId, messageId };
  }

  async function finished(id: string, workflowId: string): Promise<EmailRecord> {
    await client.workflow.getHandle(workflowId).result();
    return (await getEmail(t.platform.db, 'default', id))!;
  }

  test('with the delivery check: sent, and MailDev holds the Message-ID exactly once', { timeout: 180_000 }, async () => {
    worker = spawnWorkerProcess(t.env);
    const { id, workflowId, messageId } = await sendAndKillAfterAccept();
    // The restart: the same email worker code, in this process (one workflow bundle instead of the
    // worker process's four, and the model is not loaded again), on the same task queue and database.
    const workerConnection = await connectWorker(t.platform.config);
    const restarted = await createEmailWorker(t.platform, workerConnection);
    const running = restarted.run();
    try {
      const email = await finished(id, workflowId);
      assert.equal(email.status, 'sent');
      assert.equal(email.messages[0]!.state, 'sent');
      assert.equal(email.messages[0]!.attempts, 1, 'handed to SMTP once: the retry asked the check instead');
      assert.equal(email.messages[0]!.recipients[0]!.status, 'accepted');
      assert.equal((await mailWithMessageId(messageId)).length, 1, 'exactly once');
    } finally {
      restarted.worker.shutdown();
      await running;
      await restarted.close();
      await workerConnection.close();
    }
  });
  // Without a delivery check the same state ends `uncertain` and is not sent again: see the
  // "message left `sending`" test in delivery.test.ts (the row a kill leaves, without a second kill here).
});

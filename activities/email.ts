/**
 * sendEmail's activities. `deliverMessage` hands one outbox message to SMTP at most once per
 * known-safe occasion: it commits `sending` before talking to the server, and an attempt that finds
 * `sending` (an earlier one died or lost the connection after the body went out) asks the delivery
 * check whether the server holds the Message-ID before it sends anything again.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { BlobStore } from '../lib/blob/port.ts';
import type { Config } from '../lib/config.ts';
import type { Database } from '../lib/db/index.ts';
import { loadAttachments } from '../lib/email/attachments.ts';
import { composeMessage, envelopeRecipients } from '../lib/email/compose.ts';
import { createDeliveryCheck, type DeliveryCheck } from '../lib/email/delivery-check.ts';
import { createDomainRate, type DomainRate } from '../lib/email/domain-rate.ts';
import {
  findEmail,
  findEmailMessage,
  finishEmail,
  finishMessage,
  getMessage,
  markEmailSending,
  markSending,
  releaseMessage,
  sendingAgeMs,
} from '../lib/email/outbox.ts';
import { classifySmtpError, rejectionDetail } from '../lib/email/smtp-errors.ts';
import { createSmtpTransport, SEND_SETTLED_MS, type SmtpTransport } from '../lib/email/transport.ts';
import type { EmailStatus, MessageState, RecipientOutcome } from '../lib/email/types.ts';
import { AppError } from '../lib/errors.ts';
import { withFailureMapping } from './failures.ts';

export interface EmailActivityDeps {
  config: Config;
  db: Database;
  blobs: BlobStore;
}

/** Parts a test may replace (e.g. a short rate window); production builds them all from the config. */
export interface EmailActivityParts {
  transport?: SmtpTransport;
  rate?: DomainRate;
  check?: DeliveryCheck | null;
}

export interface MessageOutcome {
  seq: number;
  state: MessageState;
  accepted: number;
  rejected: number;
}

class EmailNotFoundError extends AppError {
  constructor(id: string) {
    super('E_EMAIL_NOT_FOUND', `no email ${id}`);
  }
}

/** Beats every 2 s while `work` runs, so a killed worker's attempt is retried after the heartbeat timeout. */
async function beating<T>(work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), 2_000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

const outcomeOf = (seq: number, state: MessageState, recipients: RecipientOutcome[]): MessageOutcome => ({
  seq,
  state,
  accepted: recipients.filter((r) => r.status === 'accepted').length,
  rejected: recipients.filter((r) => r.status === 'rejected' || r.status === 'failed').length,
});

export function createEmailActivities({ config, db, blobs }: EmailActivityDeps, parts: EmailActivityParts = {}) {
  const transport = parts.transport ?? createSmtpTransport(config.SMTP_URL);
  const rate =
    parts.rate ?? createDomainRate({ perMinute: config.EMAIL_DOMAIN_RATE_PER_MINUTE, redisUrl: config.REDIS_URL, keyPrefix: config.CACHE_PREFIX });
  const check = parts.check === undefined ? createDeliveryCheck(config.EMAIL_DELIVERY_CHECK_URL) : (parts.check ?? undefined);

  async function deliver(emailId: string, seq: number): Promise<MessageOutcome> {
    const email = await findEmailMessage(db, emailId, seq);
    if (!email) throw new EmailNotFoundError(emailId);
    const message = email.messages[0];
    if (!message) throw new EmailNotFoundError(`${emailId} message ${seq}`);
    if (!['pending', 'sending'].includes(message.state)) return outcomeOf(seq, message.state, message.recipients);
    const recipients = (status: RecipientOutcome['status'], detail: string): RecipientOutcome[] =>
      message.recipients.map((r) => ({ ...r, status, detail }));

    if (message.state === 'sending') {
      // An earlier attempt committed `sending` and never recorded the server's answer.
      if (!check) {
        const outcome = recipients('uncertain', 'handed to SMTP, answer unknown; not sent again (no delivery check configured)');
        await finishMessage(db, emailId, seq, {
          state: 'uncertain',
          recipients: outcome,
          error: { code: 'E_EMAIL_UNCERTAIN', message: 'an attempt stopped after handing the message to SMTP; it was not sent again' },
        });
        return outcomeOf(seq, 'uncertain', outcome);
      }
      const held = await check.find(message.messageId);
      if (held.copies > 0) {
        const there = new Set(held.recipients);
        const outcome = message.recipients.map((r): RecipientOutcome =>
          there.has(r.email.toLowerCase())
            ? { ...r, status: 'accepted', detail: 'the mail server holds this Message-ID (delivery check)' }
            : { ...r, status: 'uncertain', detail: 'not among the recipients the mail server holds' },
        );
        await finishMessage(db, emailId, seq, { state: 'sent', recipients: outcome, smtpResponse: 'confirmed by the delivery check' });
        return outcomeOf(seq, 'sent', outcome);
      }
      // Absent: safe to send again only once the earlier attempt's session is surely over.
      const age = await sendingAgeMs(db, emailId, seq);
      if (age < SEND_SETTLED_MS) {
        throw ApplicationFailure.create({
          type: 'E_EMAIL_SETTLING',
          message: 'an earlier attempt may still be talking to the mail server; checking again when it must be over',
          nextRetryDelay: Math.ceil(SEND_SETTLED_MS - age),
        });
      }
    }

    const attachments = await loadAttachments({ db, blobs }, email.tenant, email.draft.attachments);
    const mail = composeMessage({
      draft: email.draft,
      seq,
      messageId: message.messageId,
      from: config.EMAIL_FROM,
      date: new Date(email.createdAt),
      attachments,
    });
    const wait = await rate.take(envelopeRecipients(email.draft, seq));
    if (wait > 0) {
      throw ApplicationFailure.create({
        type: 'E_EMAIL_RATE_LIMITED',
        message: `a recipient domain is over ${config.EMAIL_DOMAIN_RATE_PER_MINUTE} messages a minute; sending in ${wait} ms`,
        nextRetryDelay: wait,
      });
    }

    await markSending(db, emailId, seq); // committed before SMTP: see the module comment
    let result;
    try {
      result = await transport.send(mail);
    } catch (error) {
      const failure = classifySmtpError(error);
      if (failure.kind === 'permanent') {
        const rejectedErrors = ((error as { rejectedErrors?: { recipient?: string }[] }).rejectedErrors ?? []).filter((e) => e.recipient);
        const byRecipient = new Map(rejectedErrors.map((e) => [e.recipient!.toLowerCase(), rejectionDetail(e)]));
        const outcome = message.recipients.map((r): RecipientOutcome => {
          const rejection = byRecipient.get(r.email.toLowerCase());
          return rejection
            ? { ...r, status: rejection.permanent ? 'rejected' : 'failed', detail: rejection.detail }
            : { ...r, status: 'failed', detail: failure.message };
        });
        await finishMessage(db, emailId, seq, { state: 'failed', recipients: outcome, error: { code: failure.code, message: failure.message } });
        throw ApplicationFailure.create({ type: failure.code, message: failure.message, nonRetryable: true });
      }
      // The server said "not now", or the session broke before the body went out: it holds nothing.
      if (failure.accepted === 'no') await releaseMessage(db, emailId, seq);
      throw ApplicationFailure.create({ type: failure.code, message: failure.message });
    }

    const rejectedBy = new Map(result.rejectedErrors.filter((e) => e.recipient).map((e) => [e.recipient!.toLowerCase(), rejectionDetail(e)]));
    const accepted = new Set(result.accepted);
    const outcome = message.recipients.map((r): RecipientOutcome => {
      const email = r.email.toLowerCase();
      if (accepted.has(email)) return { ...r, status: 'accepted', detail: result.response.slice(0, 300) };
      const rejection = rejectedBy.get(email);
      // A 4xx for one recipient while others took the message: not retried (a resend would reach the others twice).
      return { ...r, status: rejection?.permanent === false ? 'failed' : 'rejected', detail: rejection?.detail ?? 'rejected' };
    });
    const state = outcome.some((r) => r.status === 'accepted') ? 'sent' : 'failed';
    await finishMessage(db, emailId, seq, { state, recipients: outcome, smtpResponse: result.response.slice(0, 500) });
    return outcomeOf(seq, state, outcome);
  }

  const activities = withFailureMapping({
    /** The email's messages still to send; moves the email to `sending`. */
    async startEmail({ emailId }: { emailId: string }): Promise<{ seqs: number[] }> {
      const email = await findEmail(db, emailId);
      if (!email) throw new EmailNotFoundError(emailId);
      await markEmailSending(db, emailId);
      return { seqs: email.messages.map((m) => m.seq) };
    },

    /** Hands one outbox message to SMTP (or learns it already went); see the module comment. */
    async deliverMessage({ emailId, seq }: { emailId: string; seq: number }): Promise<MessageOutcome> {
      return beating(() => deliver(emailId, seq));
    },

    /**
     * A message whose attempts ran out: `failed` if it never reached the server, `uncertain` if an
     * attempt was left `sending` (the server may hold it: never claimed failed, never resent).
     */
    async abandonMessage({ emailId, seq, error }: { emailId: string; seq: number; error: { code: string; message: string } }): Promise<MessageState> {
      const message = await getMessage(db, emailId, seq);
      if (!message || !['pending', 'sending'].includes(message.state)) return message?.state ?? 'failed';
      const state = message.state === 'sending' ? 'uncertain' : 'failed';
      const status = state === 'uncertain' ? 'uncertain' : 'failed';
      await finishMessage(db, emailId, seq, {
        state,
        recipients: message.recipients.map((r) => ({ ...r, status, detail: error.message.slice(0, 300) })),
        error,
      });
      return state;
    },

    /** The email's final status, folded from its messages. */
    async completeEmail({ emailId }: { emailId: string }): Promise<EmailStatus> {
      return finishEmail(db, emailId);
    },
  });

  return {
    ...activities,
    async close(): Promise<void> {
      transport.close();
      await rate.close();
    },
  };
}

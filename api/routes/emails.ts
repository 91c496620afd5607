import { Router, type Response } from 'express';
import type { EmailRecord } from '../../lib/email/types.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { emailCursor, emailId, emailListQuery } from '../email-schemas.ts';
import { createJsonBodyReader } from '../json-body.ts';
import { requireScope, tenantOf } from '../middleware/auth.ts';
import type { EmailService } from '../services/emails.ts';
import { parseInput } from '../validate.ts';

/** The JSON body limit: a 2 MiB message body and 64 KiB of data fit, with room for the JSON around them. */
export const EMAIL_BODY_LIMIT_BYTES = 3 * 1024 * 1024;

/**
 * What a client sees of an email: its recipients with a status each (folded over
 * its outbox messages), each SMTP message with its Message-ID and state, and the
 * references it attaches. Bcc recipients are shown to the sender who named them;
 * they never appear in the message's headers.
 */
export function toEmailView(e: EmailRecord) {
  return {
    id: e.id,
    status: e.status,
    subject: e.subject,
    mode: e.draft.mode,
    to: e.draft.to,
    cc: e.draft.cc,
    bcc: e.draft.bcc,
    template: e.draft.template ?? null,
    attachments: e.draft.attachments,
    recipients: e.messages.flatMap((m) =>
      m.recipients.map((r) => ({ email: r.email, kind: r.kind, status: r.status, detail: r.detail ?? null, messageId: m.messageId })),
    ),
    messages: e.messages.map((m) => ({
      seq: m.seq,
      messageId: m.messageId,
      state: m.state,
      attempts: m.attempts,
      sentAt: m.sentAt ?? null,
      error: m.error ?? null,
    })),
    error: e.error ?? null,
    workflowId: e.workflowId,
    createdAt: e.createdAt,
    finishedAt: e.finishedAt ?? null,
  };
}

const accepted = (res: Response, e: EmailRecord) =>
  res.status(202).location(`/v1/emails/${e.id}`).json({ id: e.id, workflowId: e.workflowId, status: e.status });

export function createEmailsRouter({ emails }: { emails: EmailService }): Router {
  const router = Router();
  router.use(requireScope('email'));
  const readJson = createJsonBodyReader(EMAIL_BODY_LIMIT_BYTES, { code: 'E_BODY_TOO_LARGE', detail: 'the JSON body exceeds 3 MiB' });

  router.post('/', async (req, res) => {
    const body = req.is('application/json') ? ((await readJson(req, res)) ?? {}) : {};
    const { email } = await emails.submit(tenantOf(res), body, req.get('idempotency-key'));
    accepted(res, email);
  });

  router.get('/', async (req, res) => {
    const query = parseInput(emailListQuery, req.query);
    const after = query.cursor ? decodeCursor(emailCursor, query.cursor) : undefined;
    const page = await emails.list(tenantOf(res), { limit: query.limit, after });
    res.json({ items: page.items.map(toEmailView), nextCursor: page.next ? encodeCursor(page.next) : null });
  });

  router.get('/:id', async (req, res) => {
    res.json(toEmailView(await emails.get(tenantOf(res), parseInput(emailId, req.params.id, 'id'))));
  });

  return router;
}

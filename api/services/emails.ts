/**
 * What the API does with emails: check the request in full (addresses, template
 * and data, attachments, sizes), render its template, put the email and its
 * outbox messages in the database in one transaction (lib/email/outbox.ts) and
 * start its sendEmail workflow, which does the sending. Nothing is sent from here.
 */
import { createHash } from 'node:crypto';
import type { EmailWorkflows } from '../../client/emails.ts';
import type { Database } from '../../lib/db/index.ts';
import { checkAttachments } from '../../lib/email/attachment-check.ts';
import { EMAIL_TEMPLATE_ID_PATTERN, idempotentEmailId, newEmailId } from '../../lib/email/ids.ts';
import { discardQueuedEmail, enqueueEmail, getEmail, listEmails } from '../../lib/email/outbox.ts';
import { getEmailTemplate, getEmailTemplateByName } from '../../lib/email/template-repository.ts';
import { EmailInputError, pickLocale, renderTemplate } from '../../lib/email/templates.ts';
import { EMAIL_LIMITS, type EmailDraft, type EmailRecord } from '../../lib/email/types.ts';
import { emailRequestSchema, IDEMPOTENCY_KEY, type EmailRequest } from '../email-schemas.ts';
import { HttpProblem } from '../problem.ts';
import { parseInput } from '../validate.ts';
import { emailWorkflowId } from '../../workflows/email-definitions.ts';

export interface EmailServiceDeps {
  db: Database;
  workflows: EmailWorkflows;
  /** EMAIL_MESSAGE_ID_DOMAIN: the right-hand side of every Message-ID. */
  messageIdDomain: string;
}

const REQUEST_FIELDS = new Set(Object.keys(emailRequestSchema.shape));

const notFound = (id: string) => new HttpProblem(404, 'Not found', `no email ${id}`, { code: 'E_EMAIL_NOT_FOUND' });

/** A field problem from lib/email as the API's problem. */
export function toEmailProblem(error: unknown): unknown {
  if (!(error instanceof EmailInputError)) return error;
  if (error.status === 413) return new HttpProblem(413, 'Content too large', error.message, { code: 'E_EMAIL_TOO_LARGE', errors: error.errors });
  return HttpProblem.invalid(error.errors);
}

/** JSON with sorted keys: the same request written in another key order hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The request's hash as parsed (defaults filled, addresses normalised) without its key: a key in the
 * header or in the body, `cc: []` or none, `A@Example.com` or `A@example.com` are the same request.
 */
function requestHash(request: EmailRequest): string {
  const { idempotencyKey: _, ...rest } = request;
  return createHash('sha256').update(canonical(rest)).digest('hex');
}

/** The request's key: from the header or the body; both, if they differ, is a 400. */
function keyOf(request: EmailRequest, header?: string): string | undefined {
  if (header !== undefined && !IDEMPOTENCY_KEY.test(header)) {
    throw HttpProblem.invalid([{ field: 'Idempotency-Key', detail: '1 to 255 printable ASCII characters' }]);
  }
  if (header !== undefined && request.idempotencyKey !== undefined && header !== request.idempotencyKey) {
    throw HttpProblem.invalid([{ field: 'idempotencyKey', detail: 'differs from the Idempotency-Key header; give one, or the same in both' }]);
  }
  return header ?? request.idempotencyKey;
}

export function createEmailService({ db, workflows, messageIdDomain }: EmailServiceDeps) {
  /** The draft: the template rendered (or the text as given), everything checked. */
  async function draftOf(tenant: string, r: EmailRequest): Promise<EmailDraft> {
    let content: { subject: string; text?: string; html?: string };
    let template: EmailDraft['template'];
    if (r.template !== undefined) {
      const saved = new RegExp(EMAIL_TEMPLATE_ID_PATTERN).test(r.template)
        ? await getEmailTemplate(db, tenant, r.template)
        : await getEmailTemplateByName(db, tenant, r.template);
      if (!saved) throw HttpProblem.invalid([{ field: 'template', detail: `no email template ${JSON.stringify(r.template)} (by id or name)` }]);
      const locale = pickLocale(Object.keys(saved.locales), saved.defaultLocale, r.locale);
      content = renderTemplate(saved.locales[locale]!, r.data ?? {});
      // A subject given with a template replaces the template's (it was checked as header text).
      if (r.subject !== undefined) content.subject = r.subject;
      template = { id: saved.id, locale };
    } else {
      content = { subject: r.subject!, text: r.text, html: r.html };
      if (Buffer.byteLength(r.text ?? '') + Buffer.byteLength(r.html ?? '') > EMAIL_LIMITS.bodyBytes) {
        throw new EmailInputError([{ field: 'text', detail: `text and html together exceed ${EMAIL_LIMITS.bodyBytes} bytes` }], 413);
      }
    }
    await checkAttachments(db, tenant, r.attachments);
    return {
      to: r.to,
      cc: r.cc,
      bcc: r.bcc,
      subject: content.subject,
      ...(content.text === undefined ? {} : { text: content.text }),
      ...(content.html === undefined ? {} : { html: content.html }),
      attachments: r.attachments,
      mode: r.mode,
      ...(template ? { template } : {}),
    };
  }

  return {
    /**
     * Checks the body, records the email with its outbox and starts its run. With an
     * idempotency key the id comes from the key: the same key and body are the same
     * email (202 again, nothing sent twice); the same key with another body is a 409.
     */
    async submit(tenant: string, body: unknown, headerKey?: string): Promise<{ email: EmailRecord; created: boolean }> {
      // Every header is the API's to write; a caller's raw headers are refused by name, not as "an unknown field".
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
        if ('headers' in body) {
          throw HttpProblem.invalid([{ field: 'headers', detail: 'raw headers are refused: the API writes every header itself (from to, cc, subject …)' }]);
        }
        // An unknown field is named (zod alone would blame the whole body): `from`, `replyTo` … are not the caller's to set.
        const unknown = Object.keys(body).filter((k) => !REQUEST_FIELDS.has(k));
        if (unknown.length > 0) throw HttpProblem.invalid(unknown.map((field) => ({ field, detail: 'not a field of an email request' })));
      }
      const request = parseInput(emailRequestSchema, body);
      const key = keyOf(request, headerKey);
      const id = key ? idempotentEmailId(tenant, key) : newEmailId();
      const hash = key ? requestHash(request) : undefined;
      const reused = () =>
        new HttpProblem(409, 'Idempotency key reused', 'this idempotency key was used with another request body', { code: 'E_IDEMPOTENCY_KEY_REUSED' });
      // A repeat is answered from what was accepted then, before rendering again: its template or
      // attachments may have changed or gone since, which must not turn a repeat into a 400.
      const earlier = key ? await db.query<{ request_hash: string | null }>('select request_hash from emails where id = $1 and tenant = $2', [id, tenant]) : undefined;
      const earlierEmail = earlier?.rows[0] ? await getEmail(db, tenant, id) : undefined;
      if (earlierEmail) {
        if (earlier!.rows[0]!.request_hash !== hash) throw reused();
        await workflows.start(id, tenant); // joins the run, or finds it finished; starts it if an earlier start failed
        return { email: earlierEmail, created: false };
      }
      let draft: EmailDraft;
      try {
        draft = await draftOf(tenant, request);
      } catch (error) {
        throw toEmailProblem(error);
      }
      const { email, created, existingRequestHash } = await enqueueEmail(db, { id, tenant, draft, idempotencyKey: key, requestHash: hash, messageIdDomain, workflowId: emailWorkflowId(id) });
      if (!created && existingRequestHash !== hash) throw reused();
      try {
        await workflows.start(email.id, tenant);
      } catch (error) {
        // Nothing started: leave nothing behind, so the caller's retry (same key or none) starts afresh.
        if (created) await discardQueuedEmail(db, email.id);
        throw error;
      }
      return { email, created };
    },

    async get(tenant: string, id: string): Promise<EmailRecord> {
      const email = await getEmail(db, tenant, id);
      if (!email) throw notFound(id);
      return email;
    },

    list: (tenant: string, page: Parameters<typeof listEmails>[2]) => listEmails(db, tenant, page),
  };
}

export type EmailService = ReturnType<typeof createEmailService>;

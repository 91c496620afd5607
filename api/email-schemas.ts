/**
 * Shapes of the email API's inputs (zod; the OpenAPI document is generated from
 * them). Addresses are checked here (lib/email/addresses.ts), so a bad one is a
 * 400 naming `to.0`, `cc.1.name` …; templates, attachments and sizes are checked
 * by api/services/emails.ts against the database, also naming the field.
 */
import { z } from 'zod';
import { ADDRESS_LIMITS, parseMailbox, type MailboxInput } from '../lib/email/addresses.ts';
import { EMAIL_ID_PATTERN, EMAIL_TEMPLATE_ID_PATTERN } from '../lib/email/ids.ts';
import { TEMPLATE_LIMITS } from '../lib/email/templates.ts';
import { EMAIL_LIMITS } from '../lib/email/types.ts';
import { LANGUAGE_PATTERN } from '../lib/documents/metadata.ts';
import { REPORT_FORMATS } from '../lib/reports/types.ts';
import { reportId } from './report-schemas.ts';
import { documentId, listQuery, TEXT_PATTERN } from './schemas.ts';

/** Printable ASCII, as a header value must be; long enough for a UUID or a hash. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
/** One header line: no CR, LF, NUL nor other controls (a tab is fine). Stated as a pattern so the OpenAPI document says it too. */
const HEADER_TEXT = /^[^\u0000-\u0008\u000a-\u001f\u007f]*$/;
const NO_NUL = /^[^\u0000]*$/;
const headerText = (max: number) =>
  z.string().min(1).max(max).regex(HEADER_TEXT, 'must not contain CR, LF, NUL or other control characters (header injection is refused)');

/** `"a@b.c"`, `"Name <a@b.c>"` or `{ name, email }`: checked and normalised into a Mailbox. */
export const mailboxSchema = z
  .union([
    z.string().max(ADDRESS_LIMITS.addressChars + ADDRESS_LIMITS.nameChars + 3),
    z.strictObject({ name: z.string().max(ADDRESS_LIMITS.nameChars).optional(), email: z.string().max(ADDRESS_LIMITS.addressChars) }),
  ])
  .meta({ examples: ['李雷 <li.lei@example.com>', { name: 'Han Meimei', email: 'han.meimei@example.com' }] })
  .transform((input: MailboxInput, ctx) => {
    const parsed = parseMailbox(input);
    if ('mailbox' in parsed) return parsed.mailbox;
    ctx.addIssue({ code: 'custom', message: parsed.problem.detail, path: parsed.problem.part ? [parsed.problem.part] : [] });
    return z.NEVER;
  });

const recipients = z.array(mailboxSchema).max(EMAIL_LIMITS.recipients);

/** An attachment by reference; a path, URL or content is refused (no shape has room for one). */
export const attachmentSchema = z.union(
  [z.strictObject({ reportId, format: z.enum(REPORT_FORMATS) }), z.strictObject({ documentId })],
  { error: `an attachment is { reportId, format } (format one of ${REPORT_FORMATS.join(', ')}) or { documentId }: by reference, never a path, URL or content` },
);

export const localeTag = z.string().max(35).regex(LANGUAGE_PATTERN, 'expected a language tag such as zh-CN or en');

/** POST /v1/emails. */
export const emailRequestSchema = z
  .strictObject({
    to: recipients.min(1, 'at least one recipient in `to`'),
    cc: recipients.default([]),
    bcc: recipients.default([]),
    subject: headerText(EMAIL_LIMITS.subjectChars).optional(),
    text: z.string().max(EMAIL_LIMITS.bodyBytes).regex(NO_NUL, 'must not contain NUL characters').optional(),
    html: z.string().max(EMAIL_LIMITS.bodyBytes).regex(NO_NUL, 'must not contain NUL characters').optional(),
    /** A template of the tenant, by id or by name. */
    template: z.string().min(1).max(200).regex(NO_NUL, 'must not contain NUL characters').optional(),
    /** Which of the template's locales to render (else the nearest, else its default). */
    locale: localeTag.optional(),
    data: z.record(z.string().max(128), z.unknown()).optional(),
    attachments: z.array(attachmentSchema).max(EMAIL_LIMITS.attachments).default([]),
    /** `single`: one message to all; `individual`: one message per `to` recipient (no cc or bcc). */
    mode: z.enum(['single', 'individual']).default('single'),
    idempotencyKey: z.string().regex(IDEMPOTENCY_KEY, '1 to 255 printable ASCII characters').optional(),
  })
  .superRefine((r, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', message, path: [path] });
    if (r.template !== undefined) {
      if (r.text !== undefined) issue('text', 'give text and html, or a template, not both');
      if (r.html !== undefined) issue('html', 'give text and html, or a template, not both');
    } else {
      if (r.subject === undefined) issue('subject', 'a subject is required (or a template, which has one)');
      if (r.text === undefined && r.html === undefined) issue('text', 'give text, html or both (or a template)');
      if (r.data !== undefined) issue('data', 'data fills a template: give `template` too');
      if (r.locale !== undefined) issue('locale', 'a locale picks a template’s language: give `template` too');
    }
    if (r.mode === 'individual') {
      if (r.cc.length > 0) issue('cc', 'an individual send writes to each `to` recipient alone: no cc');
      if (r.bcc.length > 0) issue('bcc', 'an individual send writes to each `to` recipient alone: no bcc');
    }
    const count = r.to.length + r.cc.length + r.bcc.length;
    if (count > EMAIL_LIMITS.recipients) issue('to', `at most ${EMAIL_LIMITS.recipients} recipients in to, cc and bcc together`);
    const seen = new Set<string>();
    for (const kind of ['to', 'cc', 'bcc'] as const) {
      for (const [i, m] of r[kind].entries()) {
        const key = m.email.toLowerCase();
        if (seen.has(key)) ctx.addIssue({ code: 'custom', message: `${m.email} is listed twice`, path: [kind, i] });
        seen.add(key);
      }
    }
    if (r.data !== undefined) {
      const json = JSON.stringify(r.data);
      if (Buffer.byteLength(json) > EMAIL_LIMITS.templateDataBytes) issue('data', `at most ${EMAIL_LIMITS.templateDataBytes} bytes of JSON`);
      // PostgreSQL's jsonb cannot hold U+0000, and the data is kept with the email.
      if (json.includes('\\u0000')) issue('data', 'must not contain NUL characters');
    }
  });

export type EmailRequest = z.infer<typeof emailRequestSchema>;

const templatePart = z.string().max(TEMPLATE_LIMITS.partChars).regex(NO_NUL, 'must not contain NUL characters');

export const templateContentSchema = z
  .strictObject({ subject: headerText(TEMPLATE_LIMITS.subjectChars), text: templatePart.optional(), html: templatePart.optional() })
  .refine((c) => c.text !== undefined || c.html !== undefined, { message: 'give text, html or both', path: ['text'] });

/** POST and PUT /v1/email-templates: Mustache sources per locale, checked further by lib/email/templates.ts. */
export const emailTemplateSchema = z
  .strictObject({
    name: z.string().max(200).regex(TEXT_PATTERN, 'must not be blank nor contain NUL characters').trim(),
    description: z.string().max(2000).regex(NO_NUL, 'must not contain NUL characters').nullable().default(null),
    defaultLocale: localeTag,
    locales: z.record(localeTag, templateContentSchema),
  })
  .superRefine((t, ctx) => {
    const keys = Object.keys(t.locales);
    if (keys.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one locale', path: ['locales'] });
    if (keys.length > TEMPLATE_LIMITS.locales) ctx.addIssue({ code: 'custom', message: `at most ${TEMPLATE_LIMITS.locales} locales`, path: ['locales'] });
    const lower = keys.map((k) => k.toLowerCase());
    for (const [i, k] of keys.entries()) {
      if (lower.indexOf(lower[i]!) !== i) ctx.addIssue({ code: 'custom', message: 'each locale once (case does not tell them apart)', path: ['locales', k] });
    }
    if (keys.length > 0 && !keys.includes(t.defaultLocale)) {
      ctx.addIssue({ code: 'custom', message: `the default locale must be one of the locales (${keys.join(', ')})`, path: ['defaultLocale'] });
    }
  });

export const emailId = z.string().regex(new RegExp(EMAIL_ID_PATTERN), 'an email id: em_ and 24 hex characters');
export const emailTemplateId = z.string().regex(new RegExp(EMAIL_TEMPLATE_ID_PATTERN), 'an email template id: etpl_ and 24 hex characters');
export const emailListQuery = z.strictObject({ limit: listQuery.shape.limit, cursor: listQuery.shape.cursor });
export const emailCursor = z.object({ createdAt: z.string(), id: emailId });
export const emailTemplateCursor = z.object({ id: emailTemplateId });

/** The emails and email-templates operations of the OpenAPI document. */
import { z } from 'zod';
import { EMAIL_ID_PATTERN, EMAIL_TEMPLATE_ID_PATTERN } from '../../lib/email/ids.ts';
import { REPORT_FORMATS } from '../../lib/reports/types.ts';
import { emailListQuery, emailRequestSchema, emailTemplateSchema } from '../email-schemas.ts';
import { json, jsonBody, notModified, pathId, problem, queryParameters, responses, schemaOf } from './parts.ts';

const emailStatus = z.enum(['queued', 'sending', 'sent', 'partial', 'failed', 'uncertain']);
const accepted = z.object({ id: z.string(), workflowId: z.string(), status: emailStatus });
const mailbox = z.object({ email: z.string(), name: z.string().optional() });
const attachment = z.union([z.object({ reportId: z.string(), format: z.enum(REPORT_FORMATS) }), z.object({ documentId: z.string() })]);
const failure = z.object({ code: z.string(), message: z.string() });
const emailView = z.object({
  id: z.string(),
  status: emailStatus.describe('queued, sending; then sent (every recipient accepted), partial, failed, or uncertain (see the README)'),
  subject: z.string(),
  mode: z.enum(['single', 'individual']),
  to: z.array(mailbox),
  cc: z.array(mailbox),
  bcc: z.array(mailbox),
  template: z.object({ id: z.string(), locale: z.string() }).nullable(),
  attachments: z.array(attachment),
  recipients: z.array(
    z.object({
      email: z.string(),
      kind: z.enum(['to', 'cc', 'bcc']),
      status: z.enum(['pending', 'accepted', 'rejected', 'failed', 'uncertain']),
      detail: z.string().nullable().describe('the SMTP server’s answer for this recipient, when it gave one'),
      messageId: z.string(),
    }),
  ),
  messages: z.array(
    z.object({
      seq: z.number().int(),
      messageId: z.string(),
      state: z.enum(['pending', 'sending', 'sent', 'failed', 'uncertain']),
      attempts: z.number().int(),
      sentAt: z.string().nullable(),
      error: failure.nullable(),
    }),
  ),
  error: failure.nullable(),
  workflowId: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
const templateView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  defaultLocale: z.string(),
  locales: z.record(z.string(), z.object({ subject: z.string(), text: z.string().optional(), html: z.string().optional() })),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const emailIdParameter = pathId(EMAIL_ID_PATTERN, 'an email id: em_ and 24 lower-case hex characters');
const templateIdParameter = pathId(EMAIL_TEMPLATE_ID_PATTERN, 'an email template id: etpl_ and 24 lower-case hex characters');
const page = (item: z.ZodType) => json(z.object({ items: z.array(item), nextCursor: z.string().nullable() }));
const bodyProblems = (limit: string) => ({ '400': problem('Invalid field (named in errors)'), '413': problem(limit), '415': problem('Not UTF-8 JSON') });

const templateDescription =
  'Mustache sources per locale (`zh-CN`, `en` …): `subject`, and `text`, `html` or both. In `html` every variable is HTML-escaped ' +
  '(`{{name}}`); the unescaped forms `{{{name}}}` and `{{& name}}` are refused there. `text` and `subject` print values as given; a ' +
  'value that would put CR or LF into the subject is refused when sending. Sections (`{{#items}}…{{/items}}`, `{{^x}}…{{/x}}`) nest ' +
  'at most 4 deep; partials are not supported. Each part is parsed when saved (400 naming `locales.<locale>.<part>`).';

export const emailPaths = {
  '/v1/emails': {
    post: {
      summary: 'Send an email (scope `email`): checked, put in the outbox, sent once by a sendEmail workflow',
      description:
        'Recipients are `"a@b.c"`, `"Name <a@b.c>"` or `{ name, email }`; CR, LF or NUL in any address, name or subject is refused ' +
        '(no header injection), and so is a raw `headers` field: the API writes every header. Give `subject` with `text` and/or ' +
        '`html`, or `template` (id or name) with `data` and optionally `locale` (else the nearest locale, else the template’s ' +
        'default); a top-level variable missing from `data` is a 400 naming it. Attachments are references: `{ reportId, format }` of ' +
        'a report that has succeeded, or `{ documentId }`; never a path. `mode: individual` sends one message per `to` recipient. ' +
        'An `Idempotency-Key` header (or `idempotencyKey`) makes a repeat the same email; the same key with another body is a 409. ' +
        'Bcc recipients are in the SMTP envelope only, never in the headers.',
      parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' } }],
      requestBody: jsonBody(schemaOf(emailRequestSchema, 'input')),
      responses: responses({
        '202': { description: 'Accepted; the workflow sends it', ...json(accepted) },
        ...bodyProblems('Body over 3 MiB, the rendered message over 2 MiB, or attachments over 25 MiB'),
        '409': problem('The idempotency key was used with another body'),
      }),
    },
    get: {
      summary: 'The emails, newest first, with cursor pagination',
      parameters: queryParameters(emailListQuery),
      responses: responses({ '200': { description: 'A page', ...page(emailView) }, ...notModified, '400': problem('Invalid parameter') }),
    },
  },
  '/v1/emails/{id}': {
    get: {
      summary: 'An email: its status, a status per recipient, and each SMTP message with its Message-ID',
      parameters: [emailIdParameter],
      responses: responses({ '200': { description: 'The email', ...json(emailView) }, ...notModified, '400': problem('Not an email id'), '404': problem('No such email') }),
    },
  },
  '/v1/email-templates': {
    post: {
      summary: 'Save an email template (scope `email`)',
      description: templateDescription,
      requestBody: jsonBody(schemaOf(emailTemplateSchema, 'input')),
      responses: responses({ '201': { description: 'Created', ...json(templateView) }, ...bodyProblems('Body over 8 MiB'), '409': problem('The name is taken') }),
    },
    get: {
      summary: 'The email templates, by id, with cursor pagination',
      parameters: queryParameters(emailListQuery),
      responses: responses({ '200': { description: 'A page', ...page(templateView) }, ...notModified, '400': problem('Invalid parameter') }),
    },
  },
  '/v1/email-templates/{id}': {
    get: {
      summary: 'An email template',
      parameters: [templateIdParameter],
      responses: responses({ '200': { description: 'The template', ...json(templateView) }, ...notModified, '400': problem('Not a template id'), '404': problem('No such template') }),
    },
    put: {
      summary: 'Replace an email template (emails already sent from it keep what they said)',
      description: templateDescription,
      parameters: [templateIdParameter],
      requestBody: jsonBody(schemaOf(emailTemplateSchema, 'input')),
      responses: responses({ '200': { description: 'Replaced', ...json(templateView) }, ...bodyProblems('Body over 8 MiB'), '404': problem('No such template'), '409': problem('The name is taken') }),
    },
    delete: {
      summary: 'Delete an email template',
      parameters: [templateIdParameter],
      responses: responses({ '204': { description: 'Deleted' }, '400': problem('Not a template id'), '404': problem('No such template') }),
    },
  },
};

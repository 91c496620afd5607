import { Router, type Request, type Response } from 'express';
import type { Database } from '../../lib/db/index.ts';
import { newEmailTemplateId } from '../../lib/email/ids.ts';
import {
  deleteEmailTemplate,
  getEmailTemplate,
  insertEmailTemplate,
  listEmailTemplates,
  updateEmailTemplate,
  type EmailTemplate,
} from '../../lib/email/template-repository.ts';
import { checkTemplateSources } from '../../lib/email/templates.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { emailListQuery, emailTemplateCursor, emailTemplateId, emailTemplateSchema } from '../email-schemas.ts';
import { createJsonBodyReader } from '../json-body.ts';
import { requireScope, tenantOf } from '../middleware/auth.ts';
import { HttpProblem } from '../problem.ts';
import { parseInput } from '../validate.ts';

export function toEmailTemplateView(t: EmailTemplate) {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    defaultLocale: t.defaultLocale,
    locales: t.locales,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

const notFound = (id: string) => new HttpProblem(404, 'Not found', `no email template ${id}`, { code: 'E_EMAIL_TEMPLATE_NOT_FOUND' });
const nameTaken = (name: string) =>
  new HttpProblem(409, 'Conflict', `an email template named ${JSON.stringify(name)} exists already`, { code: 'E_EMAIL_TEMPLATE_EXISTS' });

/**
 * A tenant's email templates: Mustache subject, text and HTML per locale (zh-CN,
 * en …). Each is parsed when saved (lib/email/templates.ts), so a broken tag or an
 * unescaped variable in HTML is a 400 naming `locales.<locale>.<part>` now rather
 * than a failed send later.
 */
export function createEmailTemplatesRouter({ db }: { db: Database }): Router {
  const router = Router();
  router.use(requireScope('email'));
  // Ten locales of two 100,000-character parts fit (as UTF-8, Chinese text is 3 bytes a character).
  const readJson = createJsonBodyReader(8 * 1024 * 1024, { code: 'E_BODY_TOO_LARGE', detail: 'the JSON body exceeds 8 MiB' });
  const body = async (req: Request, res: Response) => {
    const fields = parseInput(emailTemplateSchema, req.is('application/json') ? ((await readJson(req, res)) ?? {}) : {});
    const errors = checkTemplateSources(fields.locales);
    if (errors.length > 0) throw HttpProblem.invalid(errors);
    return fields;
  };
  const idParam = (value: unknown) => parseInput(emailTemplateId, value, 'id');
  const orConflict = async <T>(work: () => Promise<T>, name: string): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if ((error as { code?: string }).code === 'E_EMAIL_TEMPLATE_EXISTS') throw nameTaken(name);
      throw error;
    }
  };

  router.post('/', async (req, res) => {
    const fields = await body(req, res);
    const template = await orConflict(() => insertEmailTemplate(db, tenantOf(res), newEmailTemplateId(), fields), fields.name);
    res.status(201).location(`/v1/email-templates/${template.id}`).json(toEmailTemplateView(template));
  });

  router.get('/', async (req, res) => {
    const query = parseInput(emailListQuery, req.query);
    const after = query.cursor ? decodeCursor(emailTemplateCursor, query.cursor).id : undefined;
    const page = await listEmailTemplates(db, tenantOf(res), { limit: query.limit, after });
    res.json({ items: page.items.map(toEmailTemplateView), nextCursor: page.nextAfter ? encodeCursor({ id: page.nextAfter }) : null });
  });

  router.get('/:id', async (req, res) => {
    const id = idParam(req.params.id);
    const template = await getEmailTemplate(db, tenantOf(res), id);
    if (!template) throw notFound(id);
    res.json(toEmailTemplateView(template));
  });

  /** PUT replaces the whole template; emails already sent from it keep what they said. */
  router.put('/:id', async (req, res) => {
    const id = idParam(req.params.id);
    const fields = await body(req, res);
    const template = await orConflict(() => updateEmailTemplate(db, tenantOf(res), id, fields), fields.name);
    if (!template) throw notFound(id);
    res.json(toEmailTemplateView(template));
  });

  router.delete('/:id', async (req, res) => {
    const id = idParam(req.params.id);
    if (!(await deleteEmailTemplate(db, tenantOf(res), id))) throw notFound(id);
    res.status(204).end();
  });

  return router;
}

import { Router } from 'express';
import type { AnalyticsEngine } from '../../lib/analytics/port.ts';
import type { Database } from '../../lib/db/index.ts';
import { newTemplateId } from '../../lib/reports/ids.ts';
import { deleteTemplate, getTemplate, insertTemplate, listTemplates, updateTemplate, type ReportTemplate } from '../../lib/reports/template-repository.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { createJsonBodyReader } from '../json-body.ts';
import { tenantOf } from '../middleware/auth.ts';
import { HttpProblem } from '../problem.ts';
import { reportListQuery, templateCursor, templateId, templateSchema } from '../report-schemas.ts';
import { checkTemplate } from '../services/report-spec.ts';
import { parseInput } from '../validate.ts';
import { analyticsAccess } from './analytics-access.ts';

export function toTemplateView(t: ReportTemplate) {
  return { id: t.id, name: t.name, description: t.description, parameters: t.parameters, spec: t.spec, createdAt: t.createdAt, updatedAt: t.updatedAt };
}

const notFound = (id: string) => new HttpProblem(404, 'Not found', `no report template ${id}`, { code: 'E_TEMPLATE_NOT_FOUND' });
const nameTaken = (name: string) => new HttpProblem(409, 'Conflict', `a template named ${JSON.stringify(name)} exists already`, { code: 'E_TEMPLATE_EXISTS' });

export interface ReportTemplatesDeps {
  db: Database;
  engine: AnalyticsEngine;
  /** ANALYTICS_TIME_ZONE: where the stand-in dates of a template's check come from. */
  timeZone: string;
}

/**
 * Report templates: saved report bodies with parameters. Each is checked as a
 * report when saved (lib/reports/templates.ts says how), so starting one fails
 * only on the values given to it.
 */
export function createReportTemplatesRouter({ db, engine, timeZone }: ReportTemplatesDeps): Router {
  const router = Router();
  router.use(analyticsAccess);
  const readJson = createJsonBodyReader(256 * 1024, { code: 'E_BODY_TOO_LARGE', detail: 'the JSON body exceeds 256 KiB' });
  const body = async (req: Parameters<typeof readJson>[0], res: Parameters<typeof readJson>[1]) => {
    const fields = parseInput(templateSchema, req.is('application/json') ? ((await readJson(req, res)) ?? {}) : {});
    checkTemplate(fields, engine, timeZone);
    return fields;
  };
  const idParam = (value: unknown) => parseInput(templateId, value, 'id');
  const orConflict = async <T>(work: () => Promise<T>, name: string): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if ((error as { code?: string }).code === 'E_TEMPLATE_EXISTS') throw nameTaken(name);
      throw error;
    }
  };

  router.post('/', async (req, res) => {
    const fields = await body(req, res);
    const template = await orConflict(() => insertTemplate(db, tenantOf(res), newTemplateId(), fields), fields.name);
    res.status(201).location(`/v1/report-templates/${template.id}`).json(toTemplateView(template));
  });

  router.get('/', async (req, res) => {
    const query = parseInput(reportListQuery, req.query);
    const after = query.cursor ? decodeCursor(templateCursor, query.cursor).id : undefined;
    const page = await listTemplates(db, tenantOf(res), { limit: query.limit, after });
    res.json({ items: page.items.map(toTemplateView), nextCursor: page.nextAfter ? encodeCursor({ id: page.nextAfter }) : null });
  });

  router.get('/:id', async (req, res) => {
    const id = idParam(req.params.id);
    const template = await getTemplate(db, tenantOf(res), id);
    if (!template) throw notFound(id);
    res.json(toTemplateView(template));
  });

  /** PUT replaces the whole template (name, description, parameters, spec). */
  router.put('/:id', async (req, res) => {
    const id = idParam(req.params.id);
    const fields = await body(req, res);
    const template = await orConflict(() => updateTemplate(db, tenantOf(res), id, fields), fields.name);
    if (!template) throw notFound(id);
    res.json(toTemplateView(template));
  });

  router.delete('/:id', async (req, res) => {
    const id = idParam(req.params.id);
    if (!(await deleteTemplate(db, tenantOf(res), id))) throw notFound(id);
    res.status(204).end();
  });

  return router;
}

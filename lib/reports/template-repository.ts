/** The report_templates table: saved report bodies with parameters, per tenant. */
import type { Queryable } from '../db/index.ts';
import { AppError } from '../errors.ts';
import type { TemplateParameter } from './templates.ts';

export interface ReportTemplate {
  id: string;
  tenant: string;
  name: string;
  description: string | null;
  parameters: TemplateParameter[];
  /** The report body, parameter references included (lib/reports/templates.ts). */
  spec: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export class TemplateNameTakenError extends AppError {
  constructor(name: string) {
    super('E_TEMPLATE_EXISTS', `a template named ${JSON.stringify(name)} exists already`);
  }
}

type Row = Record<string, unknown>;
const jsonOf = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const toTemplate = (r: Row): ReportTemplate => ({
  id: r.id as string,
  tenant: r.tenant as string,
  name: r.name as string,
  description: (r.description as string | null) ?? null,
  parameters: jsonOf(r.parameters),
  spec: jsonOf(r.spec),
  createdAt: new Date(r.created_at as string).toISOString(),
  updatedAt: new Date(r.updated_at as string).toISOString(),
});

export type TemplateFields = Pick<ReportTemplate, 'name' | 'description' | 'parameters' | 'spec'>;

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

export async function insertTemplate(db: Queryable, tenant: string, id: string, t: TemplateFields): Promise<ReportTemplate> {
  const { rows } = await db.query<Row>(
    `insert into report_templates (id, tenant, name, description, parameters, spec) values ($1, $2, $3, $4, $5::jsonb, $6::jsonb)
     on conflict (tenant, name) do nothing returning *`,
    [id, tenant, t.name, t.description, JSON.stringify(t.parameters), JSON.stringify(t.spec)],
  );
  if (!rows[0]) throw new TemplateNameTakenError(t.name);
  return toTemplate(rows[0]);
}

export async function getTemplate(db: Queryable, tenant: string, id: string): Promise<ReportTemplate | undefined> {
  const { rows } = await db.query<Row>('select * from report_templates where id = $1 and tenant = $2', [id, tenant]);
  return rows[0] ? toTemplate(rows[0]) : undefined;
}

/** By id; `after` is the previous page's last id. */
export async function listTemplates(db: Queryable, tenant: string, page: { limit: number; after?: string }) {
  const { rows } = await db.query<Row>(
    'select * from report_templates where tenant = $1 and ($2::text is null or id > $2) order by id limit $3',
    [tenant, page.after ?? null, page.limit + 1],
  );
  const items = rows.slice(0, page.limit).map(toTemplate);
  return { items, nextAfter: rows.length > page.limit ? items.at(-1)?.id : undefined };
}

/** Replaces the template's fields; undefined when there is no such template. */
export async function updateTemplate(db: Queryable, tenant: string, id: string, t: TemplateFields): Promise<ReportTemplate | undefined> {
  try {
    const { rows } = await db.query<Row>(
      `update report_templates set name = $3, description = $4, parameters = $5::jsonb, spec = $6::jsonb, updated_at = now()
       where id = $1 and tenant = $2 returning *`,
      [id, tenant, t.name, t.description, JSON.stringify(t.parameters), JSON.stringify(t.spec)],
    );
    return rows[0] ? toTemplate(rows[0]) : undefined;
  } catch (error) {
    if (isUniqueViolation(error)) throw new TemplateNameTakenError(t.name);
    throw error;
  }
}

/** Reports made from it keep their resolved bodies; only the template goes. */
export async function deleteTemplate(db: Queryable, tenant: string, id: string): Promise<boolean> {
  const { rows } = await db.query<{ id: string }>('delete from report_templates where id = $1 and tenant = $2 returning id', [id, tenant]);
  return rows.length > 0;
}

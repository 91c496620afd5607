/** The email_templates table: a tenant's email templates, a subject, text and HTML per locale. */
import type { Queryable } from '../db/index.ts';
import { AppError } from '../errors.ts';
import type { TemplateLocales } from './templates.ts';

export interface EmailTemplate {
  id: string;
  tenant: string;
  name: string;
  description: string | null;
  /** The locale rendered when the one asked for (or its language) is not there. */
  defaultLocale: string;
  locales: TemplateLocales;
  createdAt: string;
  updatedAt: string;
}

export type EmailTemplateFields = Pick<EmailTemplate, 'name' | 'description' | 'defaultLocale' | 'locales'>;

export class EmailTemplateNameTakenError extends AppError {
  constructor(name: string) {
    super('E_EMAIL_TEMPLATE_EXISTS', `an email template named ${JSON.stringify(name)} exists already`);
  }
}

type Row = Record<string, unknown>;
const jsonOf = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const toTemplate = (r: Row): EmailTemplate => ({
  id: r.id as string,
  tenant: r.tenant as string,
  name: r.name as string,
  description: (r.description as string | null) ?? null,
  defaultLocale: r.default_locale as string,
  locales: jsonOf(r.locales),
  createdAt: new Date(r.created_at as string).toISOString(),
  updatedAt: new Date(r.updated_at as string).toISOString(),
});

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

export async function insertEmailTemplate(db: Queryable, tenant: string, id: string, t: EmailTemplateFields): Promise<EmailTemplate> {
  const { rows } = await db.query<Row>(
    `insert into email_templates (id, tenant, name, description, default_locale, locales) values ($1, $2, $3, $4, $5, $6::jsonb)
     on conflict (tenant, name) do nothing returning *`,
    [id, tenant, t.name, t.description, t.defaultLocale, JSON.stringify(t.locales)],
  );
  if (!rows[0]) throw new EmailTemplateNameTakenError(t.name);
  return toTemplate(rows[0]);
}

export async function getEmailTemplate(db: Queryable, tenant: string, id: string): Promise<EmailTemplate | undefined> {
  const { rows } = await db.query<Row>('select * from email_templates where id = $1 and tenant = $2', [id, tenant]);
  return rows[0] ? toTemplate(rows[0]) : undefined;
}

/** By name: an email request may name its template instead of giving its id. */
export async function getEmailTemplateByName(db: Queryable, tenant: string, name: string): Promise<EmailTemplate | undefined> {
  const { rows } = await db.query<Row>('select * from email_templates where name = $1 and tenant = $2', [name, tenant]);
  return rows[0] ? toTemplate(rows[0]) : undefined;
}

/** By id; `after` is the previous page's last id. */
export async function listEmailTemplates(db: Queryable, tenant: string, page: { limit: number; after?: string }) {
  const { rows } = await db.query<Row>(
    'select * from email_templates where tenant = $1 and ($2::text is null or id > $2) order by id limit $3',
    [tenant, page.after ?? null, page.limit + 1],
  );
  const items = rows.slice(0, page.limit).map(toTemplate);
  return { items, nextAfter: rows.length > page.limit ? items.at(-1)?.id : undefined };
}

/** Replaces the template's fields; undefined when there is no such template. Emails sent from it keep what they said. */
export async function updateEmailTemplate(db: Queryable, tenant: string, id: string, t: EmailTemplateFields): Promise<EmailTemplate | undefined> {
  try {
    const { rows } = await db.query<Row>(
      `update email_templates set name = $3, description = $4, default_locale = $5, locales = $6::jsonb, updated_at = now()
       where id = $1 and tenant = $2 returning *`,
      [id, tenant, t.name, t.description, t.defaultLocale, JSON.stringify(t.locales)],
    );
    return rows[0] ? toTemplate(rows[0]) : undefined;
  } catch (error) {
    if (isUniqueViolation(error)) throw new EmailTemplateNameTakenError(t.name);
    throw error;
  }
}

/** Emails already rendered from it are not touched: their drafts hold the rendered text. */
export async function deleteEmailTemplate(db: Queryable, tenant: string, id: string): Promise<boolean> {
  const { rows } = await db.query<{ id: string }>('delete from email_templates where id = $1 and tenant = $2 returning id', [id, tenant]);
  return rows.length > 0;
}

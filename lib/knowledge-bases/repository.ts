/**
 * Knowledge bases: named homes for documents within a tenant (HR, finance, IT).
 * Every document belongs to exactly one; `default` always exists.
 */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../db/index.ts';
import { AppError } from '../errors.ts';
import { DefaultKnowledgeBaseError, KnowledgeBaseDeletingError, KnowledgeBaseExistsError, KnowledgeBaseNotFoundError } from './errors.ts';

export const DEFAULT_TENANT = 'default';
export const DEFAULT_KNOWLEDGE_BASE = 'default';
/** A knowledge base id: lower-case letters, digits and `-`, 1 to 63 characters, starting with a letter or digit. */
export const KNOWLEDGE_BASE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const knowledgeBaseStatuses = ['active', 'deleting'] as const;
export type KnowledgeBaseStatus = (typeof knowledgeBaseStatuses)[number];

export interface KnowledgeBase {
  tenant: string;
  id: string;
  name: string;
  description: string | null;
  defaultLanguage: string | null;
  status: KnowledgeBaseStatus;
  documentCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface NewKnowledgeBase {
  /** Generated from the name (or at random) when absent. */
  id?: string;
  name: string;
  description?: string | null;
  defaultLanguage?: string | null;
}

export type KnowledgeBaseChanges = Partial<Pick<KnowledgeBase, 'name' | 'description' | 'defaultLanguage'>>;

const columns = `kb.tenant, kb.id, kb.name, kb.description, kb.default_language, kb.status, kb.created_at, kb.updated_at,
  (select count(*) from documents d where d.tenant = kb.tenant and d.knowledge_base = kb.id) as document_count`;

function toKnowledgeBase(row: Record<string, unknown>): KnowledgeBase {
  return {
    tenant: row.tenant as string,
    id: row.id as string,
    name: row.name as string,
    description: row.description as string | null,
    defaultLanguage: row.default_language as string | null,
    status: row.status as KnowledgeBaseStatus,
    documentCount: Number(row.document_count),
    createdAt: new Date(row.created_at as string).toISOString(),
    updatedAt: new Date(row.updated_at as string).toISOString(),
  };
}

/** A readable id from the name's ASCII letters and digits, with a random tail so two "Finance" bases differ. */
export function knowledgeBaseIdFrom(name: string): string {
  const stem = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return `${stem || 'kb'}-${randomBytes(3).toString('hex')}`;
}

/** Creates a knowledge base; an id already taken in the tenant is `KnowledgeBaseExistsError`. */
export async function createKnowledgeBase(db: Queryable, tenant: string, input: NewKnowledgeBase): Promise<KnowledgeBase> {
  const id = input.id ?? knowledgeBaseIdFrom(input.name);
  const { rows } = await db.query<{ id: string }>(
    `insert into knowledge_bases (tenant, id, name, description, default_language) values ($1, $2, $3, $4, $5)
     on conflict do nothing returning id`,
    [tenant, id, input.name, input.description ?? null, input.defaultLanguage ?? null],
  );
  if (!rows[0]) throw new KnowledgeBaseExistsError(id);
  return (await getKnowledgeBase(db, tenant, id))!;
}

export async function getKnowledgeBase(db: Queryable, tenant: string, id: string): Promise<KnowledgeBase | undefined> {
  const { rows } = await db.query(`select ${columns} from knowledge_bases kb where kb.tenant = $1 and kb.id = $2`, [tenant, id]);
  return rows[0] ? toKnowledgeBase(rows[0]) : undefined;
}

/** By id, in pages; the cursor is the last id seen. */
export async function listKnowledgeBases(
  db: Queryable,
  tenant: string,
  page: { limit: number; after?: string },
): Promise<{ items: KnowledgeBase[]; nextAfter: string | null }> {
  const { rows } = await db.query(
    `select ${columns} from knowledge_bases kb
     where kb.tenant = $1 and ($2::text is null or kb.id > $2)
     order by kb.id limit $3`,
    [tenant, page.after ?? null, page.limit + 1],
  );
  const items = rows.slice(0, page.limit).map(toKnowledgeBase);
  return { items, nextAfter: rows.length > page.limit ? items.at(-1)!.id : null };
}

/**
 * Changes name, description or default language (`null` clears the latter two).
 * Returns undefined for an unknown id; a base being deleted cannot change.
 */
export async function updateKnowledgeBase(
  db: Queryable,
  tenant: string,
  id: string,
  changes: KnowledgeBaseChanges,
): Promise<KnowledgeBase | undefined> {
  const { rows } = await db.query<{ status: string }>(
    `update knowledge_bases set
       name = coalesce($3, name),
       description = case when $4::boolean then $5 else description end,
       default_language = case when $6::boolean then $7 else default_language end,
       updated_at = now()
     where tenant = $1 and id = $2 and status = 'active'
     returning status`,
    [
      tenant,
      id,
      changes.name ?? null,
      changes.description !== undefined,
      changes.description ?? null,
      changes.defaultLanguage !== undefined,
      changes.defaultLanguage ?? null,
    ],
  );
  const current = await getKnowledgeBase(db, tenant, id);
  if (!rows[0] && current) throw new KnowledgeBaseDeletingError(id);
  return current;
}

/**
 * Marks a knowledge base `deleting`, after which uploads into it are refused;
 * marking it again is harmless. `default` cannot be deleted. Returns undefined
 * for an unknown id.
 */
export async function markKnowledgeBaseDeleting(db: Queryable, tenant: string, id: string): Promise<KnowledgeBase | undefined> {
  if (id === DEFAULT_KNOWLEDGE_BASE) throw new DefaultKnowledgeBaseError(); // every tenant keeps its own
  await db.query(
    `update knowledge_bases set status = 'deleting', updated_at = now() where tenant = $1 and id = $2 and status <> 'deleting'`,
    [tenant, id],
  );
  return getKnowledgeBase(db, tenant, id);
}

/**
 * Removes the knowledge base row once its documents are gone (the foreign key
 * refuses it before then). Returns whether a row was removed.
 */
export async function deleteKnowledgeBase(db: Queryable, tenant: string, id: string): Promise<boolean> {
  if (id === DEFAULT_KNOWLEDGE_BASE) throw new DefaultKnowledgeBaseError(); // every tenant keeps its own
  try {
    const { rows } = await db.query('delete from knowledge_bases where tenant = $1 and id = $2 returning id', [tenant, id]);
    return rows.length > 0;
  } catch (error) {
    // 23503: a document still refers to it (one uploaded just before it was marked); remove that first.
    if ((error as { code?: string }).code === '23503') {
      throw new AppError('E_KNOWLEDGE_BASE_NOT_EMPTY', `knowledge base "${id}" still has documents`, { cause: error, retryable: true });
    }
    throw error;
  }
}

/** The knowledge base, or `KnowledgeBaseNotFoundError`. */
export async function requireKnowledgeBase(db: Queryable, tenant: string, id: string): Promise<KnowledgeBase> {
  const kb = await getKnowledgeBase(db, tenant, id);
  if (!kb) throw new KnowledgeBaseNotFoundError(id);
  return kb;
}

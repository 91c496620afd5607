/**
 * API keys: `ak_<id>_<secret>`, where the id finds the row and only a SHA-256 of
 * the secret is stored. The secret is 256 random bits, so a fast hash is enough
 * (nothing to brute-force) and verifying stays cheap on every request.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database, Queryable } from '../db/index.ts';
import { AppError } from '../errors.ts';
import { DEFAULT_KNOWLEDGE_BASE } from '../knowledge-bases/repository.ts';
import type { Scope } from './scopes.ts';

export interface ApiKey {
  id: string;
  tenant: string;
  name: string;
  scopes: string[];
  createdAt: string;
  revokedAt: string | null;
}

/** Who is calling: the tenant every read and write is scoped to, and what the key may do. */
export interface Identity {
  tenant: string;
  scopes: readonly string[];
  /** Undefined in open local mode (`AUTH=off`). */
  keyId?: string;
}

const keyPattern = /^ak_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const hashSecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();

/** The id and secret of a well-formed key; undefined for anything else. */
export function parseApiKey(key: string): { id: string; secret: string } | undefined {
  const match = keyPattern.exec(key);
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

function toApiKey(row: Record<string, unknown>): ApiKey {
  return {
    id: row.id as string,
    tenant: row.tenant as string,
    name: row.name as string,
    scopes: row.scopes as string[],
    createdAt: new Date(row.created_at as string).toISOString(),
    revokedAt: row.revoked_at ? new Date(row.revoked_at as string).toISOString() : null,
  };
}

const columns = 'id, tenant, name, scopes, created_at, revoked_at';

async function insertKey(tx: Queryable, id: string, secret: string, input: { tenant: string; name: string; scopes: readonly Scope[] }) {
  // A tenant starts with its first key: its default knowledge base comes with it.
  await tx.query(
    `insert into knowledge_bases (tenant, id, name, description) values ($1, $2, 'Default', 'Documents uploaded without a knowledge base')
     on conflict do nothing`,
    [input.tenant, DEFAULT_KNOWLEDGE_BASE],
  );
  const { rows } = await tx.query(
    `insert into api_keys (id, tenant, name, scopes, secret_hash) values ($1, $2, $3, $4, $5) returning ${columns}`,
    [id, input.tenant, input.name, [...input.scopes], hashSecret(secret)],
  );
  return toApiKey(rows[0]!);
}

/** A new key; `key` is the only time its secret is seen. */
export async function createApiKey(
  db: Database,
  input: { tenant: string; name: string; scopes: readonly Scope[] },
): Promise<{ apiKey: ApiKey; key: string }> {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const apiKey = await db.transaction((tx) => insertKey(tx, id, secret, input));
  return { apiKey, key: `ak_${id}_${secret}` };
}

/** The caller behind `key`, or undefined when it is malformed, unknown or revoked. */
export async function verifyApiKey(db: Queryable, key: string): Promise<Identity | undefined> {
  const parsed = parseApiKey(key);
  if (!parsed) return undefined;
  const { rows } = await db.query<{ tenant: string; scopes: string[]; secret_hash: Buffer }>(
    'select tenant, scopes, secret_hash from api_keys where id = $1 and revoked_at is null',
    [parsed.id],
  );
  const row = rows[0];
  if (!row || !timingSafeEqual(Buffer.from(row.secret_hash), hashSecret(parsed.secret))) return undefined;
  return { tenant: row.tenant, scopes: row.scopes, keyId: parsed.id };
}

/** A tenant's keys, oldest first, without secrets. */
export async function listApiKeys(db: Queryable, tenant: string, page: { limit: number; after?: { createdAt: string; id: string } }) {
  const { rows } = await db.query(
    `select ${columns} from api_keys where tenant = $1
       and ($2::timestamptz is null or (created_at, id) > ($2::timestamptz, $3::text))
     order by created_at, id limit $4`,
    [tenant, page.after?.createdAt ?? null, page.after?.id ?? null, page.limit + 1],
  );
  const items = rows.slice(0, page.limit).map(toApiKey);
  const last = items.at(-1);
  return { items, next: rows.length > page.limit && last ? { createdAt: last.createdAt, id: last.id } : undefined };
}

/** Revokes one of a tenant's keys; false when the tenant has no such key. Revoking twice is harmless. */
export async function revokeApiKey(db: Queryable, tenant: string, id: string): Promise<boolean> {
  const { rows } = await db.query('update api_keys set revoked_at = coalesce(revoked_at, now()) where tenant = $1 and id = $2 returning id', [
    tenant,
    id,
  ]);
  return rows.length > 0;
}

/**
 * The operator's key (scopes `admin` and `tenants` in the default tenant). A `configured`
 * key (ADMIN_API_KEY) is stored if missing; otherwise one is created when no active
 * operator key exists, and returned so the start can show it once.
 */
export async function ensureOperatorKey(db: Database, configured?: string): Promise<{ created?: string }> {
  const operator = { tenant: 'default', name: 'operator', scopes: ['admin', 'tenants'] as Scope[] };
  if (configured) {
    const parsed = parseApiKey(configured);
    if (!parsed) throw new AppError('E_INVALID_OPTION', 'ADMIN_API_KEY must look like ak_<16 hex>_<43 base64url characters>');
    await db.transaction(async (tx) => {
      const { rows } = await tx.query('select 1 from api_keys where id = $1', [parsed.id]);
      if (rows.length === 0) await insertKey(tx, parsed.id, parsed.secret, operator);
    });
    return {};
  }
  const { rows } = await db.query(`select 1 from api_keys where revoked_at is null and 'tenants' = any(scopes) limit 1`);
  if (rows.length > 0) return {};
  return { created: (await createApiKey(db, operator)).key };
}

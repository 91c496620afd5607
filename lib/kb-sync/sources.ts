/** A knowledge base's sources (kb_sources), and their checkpoints (kb_source_files). */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Queryable } from '../db/index.ts';
import { KnowledgeBaseDeletingError, KnowledgeBaseNotFoundError } from '../knowledge-bases/errors.ts';
import { SourceLimitError } from './errors.ts';
import type { CheckpointFile, KnowledgeBaseSource, SourceSpec } from './types.ts';

/** Sources one knowledge base may have. */
export const MAX_SOURCES_PER_KNOWLEDGE_BASE = 20;
export const SOURCE_ID_PATTERN = '^src_[0-9a-f]{24}$';
const newSourceId = () => `src_${randomBytes(12).toString('hex')}`;

/** The canonical form of a spec (absolute path, no trailing slash; ref as given), so the same source added twice is one. */
export function normalizeSpec(spec: SourceSpec): SourceSpec {
  if (spec.type === 'directory') return { type: 'directory', path: path.resolve(spec.path) };
  const url = /^https:/i.test(spec.url) ? spec.url.replace(/\/+$/, '') : path.resolve(spec.url.replace(/^file:\/\//, ''));
  return spec.ref ? { type: 'git', url, ref: spec.ref } : { type: 'git', url };
}
const specKey = (spec: SourceSpec) => (spec.type === 'directory' ? `directory:${spec.path}` : `git:${spec.url}#${spec.ref ?? ''}`);

/** A short label for a document's `source`: where it came from, then its path there. */
export const sourceLabel = (spec: SourceSpec) => (spec.type === 'directory' ? spec.path : `${spec.url}${spec.ref ? `@${spec.ref}` : ''}`);

const columns = `s.id, s.tenant, s.knowledge_base, s.spec, s.last_commit, s.last_synced_at, s.last_error, s.created_at,
  (select count(*) from kb_source_files f where f.source_id = s.id) as file_count`;

function toSource(row: Record<string, unknown>): KnowledgeBaseSource {
  return {
    id: row.id as string,
    tenant: row.tenant as string,
    knowledgeBase: row.knowledge_base as string,
    spec: row.spec as SourceSpec,
    lastCommit: (row.last_commit as string | null) ?? null,
    lastSyncedAt: row.last_synced_at ? new Date(row.last_synced_at as string).toISOString() : null,
    lastError: (row.last_error as KnowledgeBaseSource['lastError']) ?? null,
    fileCount: Number(row.file_count ?? 0),
    createdAt: new Date(row.created_at as string).toISOString(),
  };
}

/**
 * Adds a source to a knowledge base; the same spec again returns the existing
 * source (`created: false`). The knowledge base must exist and be active. Paths
 * are checked against KB_SOURCE_ROOTS by the caller (the API) and again by every
 * scan; this only records.
 */
export async function addKnowledgeBaseSource(
  db: Queryable,
  tenant: string,
  knowledgeBase: string,
  spec: SourceSpec,
): Promise<{ source: KnowledgeBaseSource; created: boolean }> {
  const kb = await db.query<{ status: string }>('select status from knowledge_bases where tenant = $1 and id = $2', [tenant, knowledgeBase]);
  if (!kb.rows[0]) throw new KnowledgeBaseNotFoundError(knowledgeBase);
  if (kb.rows[0].status !== 'active') throw new KnowledgeBaseDeletingError(knowledgeBase);
  const normalized = normalizeSpec(spec);
  const key = specKey(normalized);
  const existing = await db.query(`select ${columns} from kb_sources s where s.tenant = $1 and s.knowledge_base = $2 and s.spec_key = $3`, [
    tenant,
    knowledgeBase,
    key,
  ]);
  if (existing.rows[0]) return { source: toSource(existing.rows[0]), created: false };
  const { rows: counted } = await db.query<{ n: string }>('select count(*) as n from kb_sources where tenant = $1 and knowledge_base = $2', [
    tenant,
    knowledgeBase,
  ]);
  if (Number(counted[0]!.n) >= MAX_SOURCES_PER_KNOWLEDGE_BASE) throw new SourceLimitError(MAX_SOURCES_PER_KNOWLEDGE_BASE);
  const id = newSourceId();
  const inserted = await db.query(
    `insert into kb_sources (id, tenant, knowledge_base, type, spec, spec_key) values ($1, $2, $3, $4, $5::jsonb, $6)
     on conflict (tenant, knowledge_base, spec_key) do nothing returning id`,
    [id, tenant, knowledgeBase, normalized.type, JSON.stringify(normalized), key],
  );
  // A twin request raced this one and won: theirs is the source.
  const row = await db.query(`select ${columns} from kb_sources s where s.tenant = $1 and s.knowledge_base = $2 and s.spec_key = $3`, [
    tenant,
    knowledgeBase,
    key,
  ]);
  return { source: toSource(row.rows[0]!), created: inserted.rows.length > 0 };
}

export async function listSources(db: Queryable, tenant: string, knowledgeBase: string): Promise<KnowledgeBaseSource[]> {
  const { rows } = await db.query(`select ${columns} from kb_sources s where s.tenant = $1 and s.knowledge_base = $2 order by s.created_at, s.id`, [
    tenant,
    knowledgeBase,
  ]);
  return rows.map(toSource);
}

export async function getSource(db: Queryable, id: string): Promise<KnowledgeBaseSource | undefined> {
  const { rows } = await db.query(`select ${columns} from kb_sources s where s.id = $1`, [id]);
  return rows[0] ? toSource(rows[0]) : undefined;
}

/**
 * Removes a source and its checkpoint. Its documents stay: they are the knowledge
 * base's now (delete them, or the knowledge base, to remove them).
 */
export async function deleteSource(db: Queryable, tenant: string, knowledgeBase: string, id: string): Promise<boolean> {
  const { rows } = await db.query('delete from kb_sources where tenant = $1 and knowledge_base = $2 and id = $3 returning id', [tenant, knowledgeBase, id]);
  return rows.length > 0;
}

/** What the last sync recorded for the source: its checkpoint. */
export async function loadCheckpoint(db: Queryable, sourceId: string): Promise<CheckpointFile[]> {
  const { rows } = await db.query(
    'select path, size_bytes, mtime_ms, git_blob, sha256, document_id, status from kb_source_files where source_id = $1 order by path',
    [sourceId],
  );
  return rows.map((r) => ({
    path: r.path as string,
    size: Number(r.size_bytes),
    mtimeMs: r.mtime_ms === null ? null : Number(r.mtime_ms),
    gitBlob: (r.git_blob as string | null) ?? null,
    sha256: (r.sha256 as string | null) ?? null,
    documentId: (r.document_id as string | null) ?? null,
    status: r.status as CheckpointFile['status'],
  }));
}

/** Whether any source of the knowledge base still has a file that is this document. */
export async function documentStillReferenced(db: Queryable, tenant: string, knowledgeBase: string, documentId: string): Promise<boolean> {
  const { rows } = await db.query(
    `select 1 from kb_source_files f join kb_sources s on s.id = f.source_id
     where s.tenant = $1 and s.knowledge_base = $2 and f.document_id = $3 limit 1`,
    [tenant, knowledgeBase, documentId],
  );
  return rows.length > 0;
}

import type { Database, Queryable } from '../db/index.ts';
import { AppError } from '../errors.ts';
import { KnowledgeBaseDeletingError, KnowledgeBaseNotFoundError } from '../knowledge-bases/errors.ts';
import type { Metadata } from './metadata.ts';

/** The statuses a person sees, in the order a healthy document passes them; `deleting` while its removal runs. */
export const documentStatuses = ['queued', 'running', 'ready', 'failed', 'cancelled', 'deleting'] as const;
export type DocumentStatus = (typeof documentStatuses)[number];

export interface DocumentRecord {
  id: string;
  tenant: string;
  knowledgeBase: string;
  contentSha256: string;
  title: string | null;
  source: string | null;
  tags: string[];
  filename: string | null;
  /** BCP 47 language tag, from the upload, front matter or the knowledge base's default. */
  lang: string | null;
  /** Free metadata from the upload and front matter (upload keys win). */
  metadata: Metadata;
  docType: string;
  sizeBytes: number;
  blobKey: string;
  status: DocumentStatus;
  stage: string;
  progress: number;
  chunkCount: number;
  errorCode: string | null;
  errorMessage: string | null;
  embeddingModel: string | null;
  workflowId: string;
  createdAt: string;
  updatedAt: string;
}

export type NewDocument = Pick<
  DocumentRecord,
  'id' | 'contentSha256' | 'title' | 'source' | 'tags' | 'filename' | 'docType' | 'sizeBytes' | 'blobKey' | 'workflowId'
> & {
  /** Default `default`. */
  tenant?: string;
  /** Must exist and be active; default `default`. */
  knowledgeBase?: string;
  lang?: string | null;
  metadata?: Metadata;
};

const columns = `id, tenant, knowledge_base, content_sha256, title, source, tags, filename, lang, metadata, doc_type, size_bytes,
  blob_key, status, stage, progress, chunk_count, error_code, error_message, embedding_model, workflow_id, created_at, updated_at`;

function toRecord(row: Record<string, unknown>): DocumentRecord {
  return {
    id: row.id as string,
    tenant: row.tenant as string,
    knowledgeBase: row.knowledge_base as string,
    contentSha256: row.content_sha256 as string,
    title: row.title as string | null,
    source: row.source as string | null,
    tags: row.tags as string[],
    filename: row.filename as string | null,
    lang: row.lang as string | null,
    metadata: (row.metadata ?? {}) as Metadata,
    docType: row.doc_type as string,
    sizeBytes: Number(row.size_bytes),
    blobKey: row.blob_key as string,
    status: row.status as DocumentStatus,
    stage: row.stage as string,
    progress: Number(row.progress),
    chunkCount: Number(row.chunk_count),
    errorCode: row.error_code as string | null,
    errorMessage: row.error_message as string | null,
    embeddingModel: row.embedding_model as string | null,
    workflowId: row.workflow_id as string,
    createdAt: new Date(row.created_at as string).toISOString(),
    updatedAt: new Date(row.updated_at as string).toISOString(),
  };
}

/**
 * Inserts a document into its knowledge base unless the same bytes are already
 * there; either way returns the stored one. The knowledge base must exist
 * (`KnowledgeBaseNotFoundError`) and be active (`KnowledgeBaseDeletingError`):
 * the insert share-locks its row, so a delete that marks it `deleting` waits
 * for the insert and then sees the document.
 */
export async function insertDocumentIfNew(db: Database, doc: NewDocument): Promise<{ document: DocumentRecord; created: boolean }> {
  const tenant = doc.tenant ?? 'default';
  const knowledgeBase = doc.knowledgeBase ?? 'default';
  const inserted = await db.query(
    `insert into documents (id, tenant, knowledge_base, content_sha256, title, source, tags, filename, doc_type, size_bytes,
                            blob_key, status, workflow_id, lang, metadata)
     select $1, kb.tenant, kb.id, $4, $5, $6, $7, $8, $9, $10, $11, 'queued', $12, $13, $14::jsonb
     from (select tenant, id from knowledge_bases where tenant = $2 and id = $3 and status = 'active' for share) kb
     on conflict do nothing returning ${columns}`,
    [
      doc.id,
      tenant,
      knowledgeBase,
      doc.contentSha256,
      doc.title,
      doc.source,
      doc.tags,
      doc.filename,
      doc.docType,
      doc.sizeBytes,
      doc.blobKey,
      doc.workflowId,
      doc.lang ?? null,
      JSON.stringify(doc.metadata ?? {}),
    ],
  );
  if (inserted.rows[0]) return { document: toRecord(inserted.rows[0]), created: true };
  const kb = await db.query<{ status: string }>('select status from knowledge_bases where tenant = $1 and id = $2', [tenant, knowledgeBase]);
  if (!kb.rows[0]) throw new KnowledgeBaseNotFoundError(knowledgeBase);
  if (kb.rows[0].status !== 'active') throw new KnowledgeBaseDeletingError(knowledgeBase);
  // Rows from before knowledge bases have ids of the old scheme: find the twin by its content, not its id.
  const { rows } = await db.query(
    `select ${columns} from documents where tenant = $1 and knowledge_base = $2 and content_sha256 = $3`,
    [tenant, knowledgeBase, doc.contentSha256],
  );
  const existing = rows[0] ? toRecord(rows[0]) : await getDocument(db, doc.id);
  if (!existing) throw new AppError('E_DOCUMENT_RACE', `document ${doc.id} was deleted while being uploaded`, { retryable: true });
  return { document: existing, created: false };
}

export async function getDocument(db: Queryable, id: string): Promise<DocumentRecord | undefined> {
  const { rows } = await db.query(`select ${columns} from documents where id = $1`, [id]);
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/** A document as one tenant may see it: another tenant's reads as no document at all. */
export async function getTenantDocument(db: Queryable, tenant: string, id: string): Promise<DocumentRecord | undefined> {
  const { rows } = await db.query(`select ${columns} from documents where id = $1 and tenant = $2`, [id, tenant]);
  return rows[0] ? toRecord(rows[0]) : undefined;
}

export interface DocumentPage {
  items: DocumentRecord[];
  nextCursor: string | null;
}

/** A tenant's documents among `ids`, in one query; ids that are not theirs are simply absent. */
export async function getTenantDocuments(db: Queryable, tenant: string, ids: readonly string[]): Promise<Map<string, DocumentRecord>> {
  const { rows } = await db.query(`select ${columns} from documents where id = any($1::text[]) and tenant = $2`, [[...ids], tenant]);
  return new Map(rows.map((row) => [row.id as string, toRecord(row)]));
}

/** Newest first; the cursor is the (created_at, id) of the last item, opaque to clients. */
export async function listDocuments(
  db: Queryable,
  filter: {
    status?: DocumentStatus;
    tag?: string;
    knowledgeBase?: string;
    tenant?: string;
    limit: number;
    cursor?: { createdAt: string; id: string };
  },
): Promise<DocumentPage> {
  const { rows } = await db.query(
    `select ${columns} from documents
     where tenant = $7
       and ($1::text is null or status = $1)
       and ($2::text is null or $2 = any(tags))
       and ($6::text is null or knowledge_base = $6)
       and ($3::timestamptz is null or (created_at, id) < ($3::timestamptz, $4::text))
     order by created_at desc, id desc
     limit $5`,
    [
      filter.status ?? null,
      filter.tag ?? null,
      filter.cursor?.createdAt ?? null,
      filter.cursor?.id ?? null,
      filter.limit + 1,
      filter.knowledgeBase ?? null,
      filter.tenant ?? 'default',
    ],
  );
  const items = rows.slice(0, filter.limit).map(toRecord);
  const last = items.at(-1);
  const nextCursor =
    rows.length > filter.limit && last
      ? Buffer.from(JSON.stringify({ createdAt: last.createdAt, id: last.id })).toString('base64url')
      : null;
  return { items, nextCursor };
}

export interface StageUpdate {
  status?: DocumentStatus;
  stage?: string;
  progress?: number;
  chunkCount?: number;
  error?: { code: string; message: string } | null;
  /** The model that made the document's vectors, recorded when it is ready. */
  embedding?: { model: string; dimension: number };
}

/** Records where a document's ingestion stands; a deleted document stays deleted (undefined). */
export async function updateDocumentStage(db: Queryable, id: string, update: StageUpdate): Promise<{ tenant: string } | undefined> {
  const { rows } = await db.query<{ tenant: string }>(
    `update documents set
       status = coalesce($2, status),
       stage = coalesce($3, stage),
       progress = coalesce($4, progress),
       chunk_count = coalesce($5, chunk_count),
       error_code = case when $6::boolean then $7 else error_code end,
       error_message = case when $6::boolean then $8 else error_message end,
       embedding_model = coalesce($9, embedding_model),
       embedding_dim = coalesce($10, embedding_dim),
       updated_at = now()
     where id = $1
     returning tenant`,
    [
      id,
      update.status ?? null,
      update.stage ?? null,
      update.progress ?? null,
      update.chunkCount ?? null,
      update.error !== undefined,
      update.error?.code ?? null,
      update.error?.message ?? null,
      update.embedding?.model ?? null,
      update.embedding?.dimension ?? null,
    ],
  );
  return rows[0];
}

/** Deletes a document with its chunks, vectors and index entries; returns whether it existed. */
export async function deleteDocument(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query('delete from documents where id = $1 returning id', [id]);
  return rows.length > 0;
}

/** What extraction found out about a document (front matter, a format's own title). */
export interface ExtractedMetadata {
  title?: string;
  tags?: string[];
  lang?: string;
  metadata?: Metadata;
}

/**
 * Fills in what the upload left unset, so explicit upload fields always win:
 * the title if it has none, the tags if it has none, the language if it has
 * none (else the knowledge base's default language), and metadata keys the
 * upload did not give. Running it again changes nothing.
 */
export async function applyExtractedMetadata(db: Queryable, id: string, found: ExtractedMetadata): Promise<void> {
  await db.query(
    `update documents d set
       title = coalesce(d.title, $2),
       tags = case when cardinality(d.tags) = 0 and $3::text[] is not null then $3::text[] else d.tags end,
       lang = coalesce(d.lang, $4, (select kb.default_language from knowledge_bases kb
                                    where kb.tenant = d.tenant and kb.id = d.knowledge_base)),
       metadata = $5::jsonb || d.metadata,
       updated_at = now()
     where d.id = $1`,
    [
      id,
      found.title?.slice(0, 500) || null,
      found.tags?.length ? found.tags : null,
      found.lang || null,
      JSON.stringify(found.metadata ?? {}),
    ],
  );
}

/** Ids of a knowledge base's documents, oldest first, for removing them in rounds. */
export async function documentIdsInKnowledgeBase(db: Queryable, tenant: string, knowledgeBase: string, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `select id from documents where tenant = $1 and knowledge_base = $2 order by created_at, id limit $3`,
    [tenant, knowledgeBase, limit],
  );
  return rows.map((r) => r.id);
}

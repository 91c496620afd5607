import type { Database, Queryable } from '../db/index.ts';
import { AppError } from '../errors.ts';

/** The statuses a person sees, in the order a healthy document passes them. */
export const documentStatuses = ['queued', 'running', 'ready', 'failed', 'cancelled'] as const;
export type DocumentStatus = (typeof documentStatuses)[number];

export interface DocumentRecord {
  id: string;
  tenant: string;
  contentSha256: string;
  title: string | null;
  source: string | null;
  tags: string[];
  filename: string | null;
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
>;

const columns = `id, tenant, content_sha256, title, source, tags, filename, doc_type, size_bytes, blob_key, status, stage,
  progress, chunk_count, error_code, error_message, embedding_model, workflow_id, created_at, updated_at`;

function toRecord(row: Record<string, unknown>): DocumentRecord {
  return {
    id: row.id as string,
    tenant: row.tenant as string,
    contentSha256: row.content_sha256 as string,
    title: row.title as string | null,
    source: row.source as string | null,
    tags: row.tags as string[],
    filename: row.filename as string | null,
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

/** Inserts a document unless one with the same bytes exists; either way returns the stored one. */
export async function insertDocumentIfNew(db: Database, doc: NewDocument): Promise<{ document: DocumentRecord; created: boolean }> {
  const inserted = await db.query(
    `insert into documents (id, content_sha256, title, source, tags, filename, doc_type, size_bytes, blob_key, status, workflow_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', $10)
     on conflict do nothing returning ${columns}`,
    [doc.id, doc.contentSha256, doc.title, doc.source, doc.tags, doc.filename, doc.docType, doc.sizeBytes, doc.blobKey, doc.workflowId],
  );
  if (inserted.rows[0]) return { document: toRecord(inserted.rows[0]), created: true };
  const existing = await getDocument(db, doc.id);
  if (!existing) throw new AppError('E_DOCUMENT_RACE', `document ${doc.id} was deleted while being uploaded`, { retryable: true });
  return { document: existing, created: false };
}

export async function getDocument(db: Queryable, id: string): Promise<DocumentRecord | undefined> {
  const { rows } = await db.query(`select ${columns} from documents where id = $1`, [id]);
  return rows[0] ? toRecord(rows[0]) : undefined;
}

export interface DocumentPage {
  items: DocumentRecord[];
  nextCursor: string | null;
}

/** Newest first; the cursor is the (created_at, id) of the last item, opaque to clients. */
export async function listDocuments(
  db: Queryable,
  filter: { status?: DocumentStatus; tag?: string; limit: number; cursor?: { createdAt: string; id: string } },
): Promise<DocumentPage> {
  const { rows } = await db.query(
    `select ${columns} from documents
     where ($1::text is null or status = $1)
       and ($2::text is null or $2 = any(tags))
       and ($3::timestamptz is null or (created_at, id) < ($3::timestamptz, $4::text))
     order by created_at desc, id desc
     limit $5`,
    [filter.status ?? null, filter.tag ?? null, filter.cursor?.createdAt ?? null, filter.cursor?.id ?? null, filter.limit + 1],
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
}

/** Records where a document's ingestion stands; a deleted document stays deleted. */
export async function updateDocumentStage(db: Queryable, id: string, update: StageUpdate): Promise<void> {
  await db.query(
    `update documents set
       status = coalesce($2, status),
       stage = coalesce($3, stage),
       progress = coalesce($4, progress),
       chunk_count = coalesce($5, chunk_count),
       error_code = case when $6::boolean then $7 else error_code end,
       error_message = case when $6::boolean then $8 else error_message end,
       updated_at = now()
     where id = $1`,
    [
      id,
      update.status ?? null,
      update.stage ?? null,
      update.progress ?? null,
      update.chunkCount ?? null,
      update.error !== undefined,
      update.error?.code ?? null,
      update.error?.message ?? null,
    ],
  );
}

/** Deletes a document with its chunks, vectors and index entries; returns whether it existed. */
export async function deleteDocument(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query('delete from documents where id = $1 returning id', [id]);
  return rows.length > 0;
}

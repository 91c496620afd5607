/**
 * Filing a source's file as a document, the way an upload is filed (api/services/
 * ingestion.ts): streamed into staging while hashed, sniffed, its id from its
 * content and knowledge base, moved under that id, and its row inserted unless the
 * same bytes are already there. Running it again after a crash finds the document
 * and changes nothing.
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobStore } from '../blob/port.ts';
import type { Database, Queryable } from '../db/index.ts';
import { uploadedBlobKey } from '../documents/blob-keys.ts';
import { documentIdFor } from '../documents/ids.ts';
import { receiveUpload } from '../documents/intake.ts';
import { insertDocumentIfNew, type DocumentRecord } from '../documents/repository.ts';
import { sniffDocumentType } from '../documents/sniff.ts';

export interface StagedFile {
  document: DocumentRecord;
  created: boolean;
  sha256: string;
  size: number;
}

/** What a synced document says of its origin: the source, then the path there. */
export const documentSource = (label: string, relativePath: string) => `${label}:${relativePath}`.slice(0, 1000);

export async function stageFile(
  deps: { db: Database; blobs: BlobStore; maxBytes: number; /** The ingestion's workflow id (lib/ knows no workflows). */ workflowIdOf: (documentId: string) => string },
  input: { tenant: string; knowledgeBase: string; sourceId: string; sourceLabel: string; path: string; body: Readable },
): Promise<StagedFile> {
  const { db, blobs } = deps;
  const upload = await receiveUpload(blobs, input.body, deps.maxBytes);
  try {
    const filename = path.posix.basename(input.path);
    const docType = await sniffDocumentType(upload.head, filename);
    const id = documentIdFor({ tenant: input.tenant, knowledgeBase: input.knowledgeBase, contentSha256: upload.sha256 });
    const blobKey = uploadedBlobKey(id);
    await blobs.rename(upload.stagingKey, blobKey);
    const result = await insertDocumentIfNew(db, {
      id,
      tenant: input.tenant,
      knowledgeBase: input.knowledgeBase,
      contentSha256: upload.sha256,
      title: null,
      source: documentSource(input.sourceLabel, input.path),
      tags: [],
      filename,
      docType,
      sizeBytes: upload.size,
      blobKey,
      workflowId: deps.workflowIdOf(id),
      metadata: { syncSource: input.sourceId, syncPath: input.path },
    }).catch(async (error: unknown) => {
      await blobs.delete(blobKey); // the knowledge base went away meanwhile
      throw error;
    });
    if (result.document.blobKey !== blobKey) await blobs.delete(blobKey);
    return { ...result, sha256: upload.sha256, size: upload.size };
  } finally {
    await blobs.delete(upload.stagingKey);
  }
}

/** A renamed file's document takes its new name and origin; its content, and so its vectors, stay. */
export async function renameSyncedDocument(db: Queryable, documentId: string, sourceLabel: string, newPath: string): Promise<string | undefined> {
  const { rows } = await db.query<{ tenant: string }>(
    `update documents set filename = $2, source = $3, metadata = metadata || jsonb_build_object('syncPath', $4::text), updated_at = now()
     where id = $1 returning tenant`,
    [documentId, path.posix.basename(newPath), documentSource(sourceLabel, newPath), newPath],
  );
  return rows[0]?.tenant;
}

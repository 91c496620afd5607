import type { Readable } from 'node:stream';
import type { DocumentWorkflows } from '../../client/documents.ts';
import { WorkflowExecutionAlreadyStartedError } from '../../client/documents.ts';
import type { BlobStore } from '../../lib/blob/port.ts';
import type { Database } from '../../lib/db/index.ts';
import type { CacheScope } from '../../lib/cache/index.ts';
import { uploadedBlobKey } from '../../lib/documents/blob-keys.ts';
import { tagsOfDocumentChange } from '../../lib/documents/cache-tags.ts';
import { DocumentDeletingError, DocumentNotFoundError, IngestionBusyError } from '../../lib/documents/errors.ts';
import { documentIdFor } from '../../lib/documents/ids.ts';
import { receiveUpload, type ReceivedUpload } from '../../lib/documents/intake.ts';
import type { Metadata } from '../../lib/documents/metadata.ts';
import {
  deleteDocument,
  getDocument,
  getTenantDocument,
  insertDocumentIfNew,
  updateDocumentStage,
  type DocumentRecord,
} from '../../lib/documents/repository.ts';
import { sniffDocumentType } from '../../lib/documents/sniff.ts';
import { DEFAULT_KNOWLEDGE_BASE } from '../../lib/knowledge-bases/repository.ts';
import { ingestWorkflowId } from '../../workflows/definitions.ts';

export interface DocumentMetadata {
  title?: string;
  source?: string;
  tags?: string[];
  filename?: string;
  knowledgeBase?: string;
  lang?: string;
  metadata?: Metadata;
}

export interface IngestionDeps {
  db: Database;
  blobs: BlobStore;
  workflows: DocumentWorkflows;
  maxUploadBytes: number;
  /** Cached answers built from the tenant's documents are dropped when one is added, reingested or removed. */
  cache: Pick<CacheScope, 'invalidateTags'>;
  /** Told of every new document id (the cache's filter of ids that exist). */
  documentIds: { added(id: string): void };
}

/**
 * What the API does with documents: accept uploads, reingest, and remove them. Work
 * that must survive a crash (ingesting, removing) is a workflow; this only starts it.
 */
export function createIngestionService({ db, blobs, workflows, maxUploadBytes, cache, documentIds }: IngestionDeps) {
  const documentsChanged = (tenant: string) => cache.invalidateTags(tagsOfDocumentChange(tenant));
  return {
    /** Streams an upload into staging; `submit` or `discard` it once its form fields are read. */
    receive: (body: Readable) => receiveUpload(blobs, body, maxUploadBytes),

    discard: (upload: ReceivedUpload) => blobs.delete(upload.stagingKey),

    /**
     * Files a received upload in its knowledge base and starts its ingestion. The same
     * bytes twice in one knowledge base, even racing, are one document and one run. If
     * the run cannot be started, the new document is removed again: an upload either
     * starts its workflow or leaves nothing behind (a crash in between is left to the
     * reconcile Schedule, which starts the run).
     */
    async submit(tenant: string, upload: ReceivedUpload, metadata: DocumentMetadata): Promise<{ document: DocumentRecord; created: boolean }> {
      try {
        const docType = await sniffDocumentType(upload.head, metadata.filename);
        const knowledgeBase = metadata.knowledgeBase ?? DEFAULT_KNOWLEDGE_BASE;
        const id = documentIdFor({ tenant, knowledgeBase, contentSha256: upload.sha256 });
        // Announced before the row exists (a false positive is harmless), so no crash leaves it unknown.
        documentIds.added(id);
        const blobKey = uploadedBlobKey(id);
        await blobs.rename(upload.stagingKey, blobKey);
        const result = await insertDocumentIfNew(db, {
          id,
          tenant,
          knowledgeBase,
          lang: metadata.lang ?? null,
          metadata: metadata.metadata ?? {},
          contentSha256: upload.sha256,
          title: metadata.title ?? null,
          source: metadata.source ?? null,
          tags: metadata.tags ?? [],
          filename: metadata.filename ?? null,
          docType,
          sizeBytes: upload.size,
          blobKey,
          workflowId: ingestWorkflowId(id),
        }).catch(async (error: unknown) => {
          await blobs.delete(blobKey); // the knowledge base went away meanwhile: nothing may stay behind
          throw error;
        });
        const { document } = result;
        // A document from before knowledge bases keeps its id and blob: the new copy of the bytes is not needed.
        if (document.blobKey !== blobKey) await blobs.delete(blobKey);
        if (document.status === 'deleting') throw new DocumentDeletingError(document.id);
        if (document.status !== 'queued') return result;
        try {
          // Starting again joins the open run, so a duplicate racing the first upload is harmless.
          await workflows.startIngestion(document);
        } catch (error) {
          if (result.created) {
            await deleteDocument(db, document.id);
            await blobs.delete(blobKey);
          }
          throw error;
        }
        await documentsChanged(tenant);
        return result;
      } finally {
        await blobs.delete(upload.stagingKey);
      }
    },

    async reingest(tenant: string, id: string): Promise<DocumentRecord> {
      const document = await getTenantDocument(db, tenant, id);
      if (!document) throw new DocumentNotFoundError(id);
      if (document.status === 'deleting') throw new DocumentDeletingError(id);
      if (document.status === 'queued' || document.status === 'running') throw new IngestionBusyError(id);
      await updateDocumentStage(db, id, { status: 'queued', stage: 'queued', progress: 0, chunkCount: 0, error: null });
      await documentsChanged(tenant);
      try {
        await workflows.startIngestion(document, { onConflict: 'FAIL' });
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) throw new IngestionBusyError(id);
        throw error;
      }
      return (await getDocument(db, id)) ?? document;
    },

    /** Starts the document's removal (its ingestion stopped, rows, vectors and blobs gone); a repeat joins it. */
    async remove(tenant: string, id: string): Promise<{ workflowId: string }> {
      if (!(await getTenantDocument(db, tenant, id))) throw new DocumentNotFoundError(id);
      const workflowId = await workflows.startDeletion(id, { tenant });
      await documentsChanged(tenant);
      return { workflowId };
    },

    /** Starts a knowledge base's removal with all its documents. */
    async removeKnowledgeBase(tenant: string, knowledgeBase: string): Promise<{ workflowId: string }> {
      const workflowId = await workflows.startKnowledgeBaseDeletion(tenant, knowledgeBase);
      await documentsChanged(tenant);
      return { workflowId };
    },
  };
}

export type IngestionService = ReturnType<typeof createIngestionService>;

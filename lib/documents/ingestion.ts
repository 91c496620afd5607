import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { ingestDocument } from '../../workflows/ingest-document.ts';
import { ingestWorkflowId, searchAttributes } from '../../workflows/definitions.ts';
import type { BlobStore } from '../blob/port.ts';
import type { Database } from '../db/index.ts';
import { AppError } from '../errors.ts';
import { extractedTextKey, uploadedBlobKey } from './blob-keys.ts';
import { receiveUpload, type ReceivedUpload } from './intake.ts';
import { deleteDocument, getDocument, insertDocumentIfNew, updateDocumentStage, type DocumentRecord } from './repository.ts';
import { sniffDocumentType } from './sniff.ts';

export interface DocumentMetadata {
  title?: string;
  source?: string;
  tags?: string[];
  filename?: string;
}

export interface IngestionDeps {
  db: Database;
  blobs: BlobStore;
  temporal: Client;
  taskQueue: string;
  maxUploadBytes: number;
  /** How long a delete waits for a cancelled run to stop before removing the rows anyway. */
  cancelWaitMs?: number;
}

export class DocumentNotFoundError extends AppError {
  constructor(id: string) {
    super('E_DOCUMENT_NOT_FOUND', `no document ${id}`);
  }
}

export class IngestionBusyError extends AppError {
  constructor(id: string) {
    super('E_INGESTION_RUNNING', `document ${id} is being ingested; cancel or wait before reingesting`);
  }
}

/** What the API does with documents: accept uploads, reingest, and remove them. */
export function createIngestionService(deps: IngestionDeps) {
  const { db, blobs, temporal } = deps;

  /** Starts the run for a document, or joins the one already running under its id. */
  async function startIngestion(documentId: string, onConflict: 'USE_EXISTING' | 'FAIL'): Promise<void> {
    await temporal.workflow.start<typeof ingestDocument>('ingestDocument', {
      taskQueue: deps.taskQueue,
      workflowId: ingestWorkflowId(documentId),
      args: [{ documentId }],
      workflowIdConflictPolicy: onConflict,
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      typedSearchAttributes: [
        { key: searchAttributes.jobKind, value: 'ingest' },
        { key: searchAttributes.jobStatus, value: 'running' },
        { key: searchAttributes.tenant, value: 'default' },
      ],
    });
  }

  return {
    /** Streams an upload into staging; `submit` or `discard` it once its form fields are read. */
    receive: (body: Readable) => receiveUpload(blobs, body, deps.maxUploadBytes),

    discard: (upload: ReceivedUpload) => blobs.delete(upload.stagingKey),

    /**
     * Files a received upload under its content hash and starts its ingestion. The
     * same bytes twice, even racing, are one document and one workflow run.
     */
    async submit(upload: ReceivedUpload, metadata: DocumentMetadata): Promise<{ document: DocumentRecord; created: boolean }> {
      try {
        const docType = await sniffDocumentType(upload.head, metadata.filename);
        const blobKey = uploadedBlobKey(upload.sha256);
        await blobs.rename(upload.stagingKey, blobKey);
        const result = await insertDocumentIfNew(db, {
          id: upload.sha256,
          contentSha256: upload.sha256,
          title: metadata.title ?? null,
          source: metadata.source ?? null,
          tags: metadata.tags ?? [],
          filename: metadata.filename ?? null,
          docType,
          sizeBytes: upload.size,
          blobKey,
          workflowId: ingestWorkflowId(upload.sha256),
        });
        // A queued document may have lost its start to a crash; starting again joins any existing run.
        if (result.document.status === 'queued') await startIngestion(result.document.id, 'USE_EXISTING');
        return result;
      } finally {
        await blobs.delete(upload.stagingKey);
      }
    },

    async reingest(id: string): Promise<DocumentRecord> {
      const document = await getDocument(db, id);
      if (!document) throw new DocumentNotFoundError(id);
      if (document.status === 'queued' || document.status === 'running') throw new IngestionBusyError(id);
      await updateDocumentStage(db, id, { status: 'queued', stage: 'queued', progress: 0, chunkCount: 0, error: null });
      try {
        await startIngestion(id, 'FAIL');
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) throw new IngestionBusyError(id);
        throw error;
      }
      return (await getDocument(db, id)) ?? document;
    },

    /** Cancels a running ingestion, then removes the document, its chunks, vectors, index entries and blobs. */
    async remove(id: string): Promise<void> {
      const document = await getDocument(db, id);
      if (!document) throw new DocumentNotFoundError(id);
      const run = temporal.workflow.getHandle(document.workflowId);
      try {
        await run.cancel();
        // Let the run record its end first, so it reads as cancelled rather than racing the delete.
        // Without a worker it never ends; the row lock in every write keeps that case safe too.
        await Promise.race([run.result().catch(() => {}), delay(deps.cancelWaitMs ?? 15_000, undefined, { ref: false })]);
      } catch (error) {
        // A finished run cannot be cancelled, and none may exist; either way there is nothing to stop.
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
      await deleteDocument(db, id);
      await blobs.delete(document.blobKey);
      await blobs.delete(extractedTextKey(id));
    },
  };
}

export type IngestionService = ReturnType<typeof createIngestionService>;

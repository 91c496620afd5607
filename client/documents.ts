/**
 * Starting and looking up the document workflows: the one place that knows their
 * ids, task queue, search attributes and id policies. Used by the API and by the
 * reconcile activities; `lib/` never sees Temporal.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { DocumentRecord } from '../lib/documents/repository.ts';
import { AppError } from '../lib/errors.ts';
import {
  deleteDocumentWorkflowId,
  deleteKnowledgeBaseWorkflowId,
  ingestWorkflowId,
  searchAttributes,
  type IngestInput,
} from '../workflows/definitions.ts';

export interface DocumentWorkflows {
  /**
   * Starts a document's ingestion, or joins the run already open under its id
   * (`onConflict: 'FAIL'` throws `WorkflowExecutionAlreadyStartedError` instead).
   */
  startIngestion(document: IngestedDocument, options?: { onConflict?: 'USE_EXISTING' | 'FAIL' }): Promise<string>;
  /** Starts a document's removal, or joins the one already running. */
  startDeletion(documentId: string, options?: { tenant?: string }): Promise<string>;
  /** Starts a knowledge base's removal with its documents, or joins the one already running. */
  startKnowledgeBaseDeletion(tenant: string, knowledgeBase: string): Promise<string>;
  /** Whether the document's ingestion, or its removal, has an open run now (a server that lost its state has none). */
  hasOpenRun(documentId: string, kind: 'ingestion' | 'deletion'): Promise<boolean>;
}

/** The workflow engine did not take the request (down, unreachable, or refusing): nothing was started. */
export class WorkflowEngineUnavailableError extends AppError {
  constructor(cause: unknown) {
    super('E_WORKFLOW_ENGINE_UNAVAILABLE', 'the workflow engine did not accept the work; nothing was started, try again', {
      cause,
      retryable: true,
    });
  }
}

/** What starting an ingestion needs to know of the document. */
export type IngestedDocument = Pick<DocumentRecord, 'id' | 'tenant' | 'sizeBytes' | 'docType'>;

/** Text files up to this size are prepared in a local activity: a few seconds of work at most. */
const locallyPreparedBytes = 64 * 1024;
const locallyPreparedTypes = new Set(['txt', 'md', 'html']);

/**
 * Small text documents are prepared as a local activity, in the worker that runs the
 * workflow task: no activity task through the server, a third of the round trips and
 * most of the server's work per document (measured in bench/ingest). Everything else
 * (PDFs, docx and scans, which may parse or OCR for minutes) runs as a heartbeating activity.
 */
export const preparesLocally = (document: Pick<IngestedDocument, 'sizeBytes' | 'docType'>) =>
  document.sizeBytes <= locallyPreparedBytes && locallyPreparedTypes.has(document.docType);

export function createDocumentWorkflows(temporal: Client, taskQueue: string): DocumentWorkflows {
  /**
   * Starts a run, or joins the open one under its id (a repeat request is the same run;
   * a closed one may run again). An id conflict under `FAIL` passes through, for
   * callers to branch on; any other failure means the engine did not take the work.
   */
  async function start(
    workflowType: string,
    workflowId: string,
    input: object,
    search: { kind: string; tenant?: string },
    onConflict: 'USE_EXISTING' | 'FAIL' = 'USE_EXISTING',
  ): Promise<string> {
    try {
      await temporal.workflow.start(workflowType, {
        taskQueue,
        workflowId,
        args: [input],
        workflowIdConflictPolicy: onConflict,
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        typedSearchAttributes: [
          { key: searchAttributes.jobKind, value: search.kind },
          { key: searchAttributes.jobStatus, value: 'running' },
          { key: searchAttributes.tenant, value: search.tenant ?? 'default' },
        ],
      });
      return workflowId;
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw error;
      throw new WorkflowEngineUnavailableError(error);
    }
  }

  return {
    startIngestion: (document, options = {}) =>
      start(
        'ingestDocument',
        ingestWorkflowId(document.id),
        { documentId: document.id, prepareLocally: preparesLocally(document) } satisfies IngestInput,
        { kind: 'ingest', tenant: document.tenant },
        options.onConflict,
      ),
    startDeletion: (documentId, options = {}) =>
      start('deleteDocument', deleteDocumentWorkflowId(documentId), { documentId }, { kind: 'delete-document', tenant: options.tenant }),
    startKnowledgeBaseDeletion: (tenant, knowledgeBase) =>
      start('deleteKnowledgeBase', deleteKnowledgeBaseWorkflowId(tenant, knowledgeBase), { tenant, knowledgeBase }, { kind: 'delete-knowledge-base', tenant }),

    async hasOpenRun(documentId, kind) {
      const workflowId = kind === 'ingestion' ? ingestWorkflowId(documentId) : deleteDocumentWorkflowId(documentId);
      try {
        return (await temporal.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return false;
        throw error;
      }
    },
  };
}

export { WorkflowExecutionAlreadyStartedError };

/**
 * Starting and looking up the document workflows: the one place that knows their
 * ids, task queue, search attributes and id policies. Used by the API and by the
 * reconcile activities; `lib/` never sees Temporal.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { AppError } from '../lib/errors.ts';
import {
  deleteDocumentWorkflowId,
  deleteKnowledgeBaseWorkflowId,
  ingestWorkflowId,
  searchAttributes,
} from '../workflows/definitions.ts';

export interface DocumentWorkflows {
  /**
   * Starts a document's ingestion, or joins the run already open under its id
   * (`onConflict: 'FAIL'` throws `WorkflowExecutionAlreadyStartedError` instead).
   */
  startIngestion(documentId: string, options?: { tenant?: string; onConflict?: 'USE_EXISTING' | 'FAIL' }): Promise<string>;
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
    startIngestion: (documentId, options = {}) =>
      start('ingestDocument', ingestWorkflowId(documentId), { documentId }, { kind: 'ingest', tenant: options.tenant }, options.onConflict),
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

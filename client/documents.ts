/**
 * Starting and looking up the document workflows: the one place that knows their
 * ids, task queue, search attributes and id policies. Used by the API and by the
 * reconcile activities; `lib/` never sees Temporal.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type WorkflowStartOptions } from '@temporalio/client';
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
  /** Starts a run; an id conflict passes through (callers branch on it), any other failure means the engine is unavailable. */
  async function start(workflowType: string, options: WorkflowStartOptions): Promise<void> {
    try {
      await temporal.workflow.start(workflowType, options);
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw error;
      throw new WorkflowEngineUnavailableError(error);
    }
  }

  const attributes = (kind: string, tenant = 'default') => [
    { key: searchAttributes.jobKind, value: kind },
    { key: searchAttributes.jobStatus, value: 'running' },
    { key: searchAttributes.tenant, value: tenant },
  ];
  // A repeat request is the same run while one is open; a closed one may run again.
  const policies = { workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'ALLOW_DUPLICATE' } as const;

  return {
    async startIngestion(documentId, options = {}) {
      const workflowId = ingestWorkflowId(documentId);
      await start('ingestDocument', {
        ...policies,
        taskQueue,
        workflowId,
        args: [{ documentId }],
        workflowIdConflictPolicy: options.onConflict ?? 'USE_EXISTING',
        typedSearchAttributes: attributes('ingest', options.tenant),
      });
      return workflowId;
    },

    async startDeletion(documentId, options = {}) {
      const workflowId = deleteDocumentWorkflowId(documentId);
      await start('deleteDocument', {
        ...policies,
        taskQueue,
        workflowId,
        args: [{ documentId }],
        typedSearchAttributes: attributes('delete-document', options.tenant),
      });
      return workflowId;
    },

    async startKnowledgeBaseDeletion(tenant, knowledgeBase) {
      const workflowId = deleteKnowledgeBaseWorkflowId(tenant, knowledgeBase);
      await start('deleteKnowledgeBase', {
        ...policies,
        taskQueue,
        workflowId,
        args: [{ tenant, knowledgeBase }],
        typedSearchAttributes: attributes('delete-knowledge-base', tenant),
      });
      return workflowId;
    },

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

/** Starting ERP import workflows: their id, task queue, search attributes and id policies. */
import type { Client } from '@temporalio/client';
import { searchAttributes } from '../workflows/definitions.ts';
import { importWorkflowId, type ImportDatasetInput } from '../workflows/erp-definitions.ts';
import { WorkflowEngineUnavailableError } from './documents.ts';
import { DEFAULT_TENANT } from '../lib/knowledge-bases/repository.ts';

export interface ErpWorkflows {
  /** Starts the import's workflow, or joins the run already open under its id. */
  startImport(importId: string): Promise<string>;
}

export function createErpWorkflows(temporal: Client, taskQueue: string): ErpWorkflows {
  return {
    async startImport(importId) {
      const workflowId = importWorkflowId(importId);
      try {
        await temporal.workflow.start('importDataset', {
          taskQueue,
          workflowId,
          args: [{ importId } satisfies ImportDatasetInput],
          workflowIdConflictPolicy: 'USE_EXISTING',
          // One import, one run: an id is never reused for other work.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: searchAttributes.jobKind, value: 'erp-import' },
            { key: searchAttributes.jobStatus, value: 'running' },
            { key: searchAttributes.tenant, value: DEFAULT_TENANT },
          ],
        });
        return workflowId;
      } catch (error) {
        throw new WorkflowEngineUnavailableError(error);
      }
    },
  };
}

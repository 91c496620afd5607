/** Starting and asking syncKnowledgeBase workflows: their id, task queue, search attributes and id policies. */
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { searchAttributes } from '../workflows/definitions.ts';
import { knowledgeBaseSyncProgressQuery, type KnowledgeBaseSyncProgress } from '../workflows/kb-sync-definitions.ts';
import { knowledgeBaseSyncWorkflowId, type SyncKnowledgeBaseInput } from '../workflows/maintenance-definitions.ts';
import { WorkflowEngineUnavailableError } from './documents.ts';

export interface KnowledgeBaseSyncWorkflows {
  /**
   * Starts the knowledge base's sync, or joins the run already open under its id
   * (one per knowledge base). Returns the workflow id. `options.syncId` names the
   * kb_syncs row the run reports to (the API's); batch sizes tune how much one
   * history holds.
   */
  start(tenant: string, knowledgeBaseId: string, options?: Pick<SyncKnowledgeBaseInput, 'syncId' | 'batchSize' | 'batchesPerRun'>): Promise<string>;
  /** The open run's progress (its query); undefined when none is open or no worker answers within a few seconds. */
  progress(tenant: string, knowledgeBaseId: string): Promise<KnowledgeBaseSyncProgress | undefined>;
}

export function createKnowledgeBaseSyncWorkflows(temporal: Client, taskQueue: string): KnowledgeBaseSyncWorkflows {
  return {
    async start(tenant, knowledgeBaseId, options = {}) {
      const workflowId = knowledgeBaseSyncWorkflowId(tenant, knowledgeBaseId);
      try {
        await temporal.workflow.start('syncKnowledgeBase', {
          taskQueue,
          workflowId,
          args: [{ tenant, knowledgeBaseId, ...options } satisfies SyncKnowledgeBaseInput],
          // A second request while one runs joins it; a finished sync may run again.
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
          typedSearchAttributes: [
            { key: searchAttributes.jobKind, value: 'kb-sync' },
            { key: searchAttributes.jobStatus, value: 'running' },
            { key: searchAttributes.tenant, value: tenant },
          ],
        });
        return workflowId;
      } catch (error) {
        throw new WorkflowEngineUnavailableError(error);
      }
    },

    async progress(tenant, knowledgeBaseId) {
      const handle = temporal.workflow.getHandle(knowledgeBaseSyncWorkflowId(tenant, knowledgeBaseId));
      try {
        if ((await handle.describe()).status.name !== 'RUNNING') return undefined;
        const stop = new AbortController();
        const timeout = delay(3_000, undefined, { signal: stop.signal }).catch(() => undefined);
        try {
          return await Promise.race([handle.query(knowledgeBaseSyncProgressQuery), timeout]);
        } finally {
          stop.abort();
        }
      } catch {
        // Not found, or no worker answered: the row in kb_syncs is the answer then.
        return undefined;
      }
    },
  };
}

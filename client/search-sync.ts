/**
 * Asking for a search sync: the one place that knows the sync workflow's id, task
 * queue and signal. The worker hands it to the search activities (the last step of
 * ingestion, deletion, ERP imports, the Schedule's run); the API's admin rebuild uses
 * it too. `lib/` never sees Temporal.
 */
import type { Client } from '@temporalio/client';
import { searchAttributes, searchSyncRequestedSignal, searchSyncWorkflowId, type SearchSyncRequest } from '../workflows/definitions.ts';
import { WorkflowEngineUnavailableError } from './documents.ts';

export interface SearchSync {
  /** Signals the one sync run of the task queue, starting it when none is open; answers its workflow id. */
  request(request?: SearchSyncRequest): Promise<{ workflowId: string }>;
}

/**
 * Signal-with-start on the fixed id: the open sync run gets the signal and goes round
 * again; when none is open, a new run starts with it. Any number of requests while a
 * run is open cost it one more round, not one run each.
 */
export function createSearchSync(temporal: Client, taskQueue: string): SearchSync {
  return {
    async request(request: SearchSyncRequest = {}) {
      const workflowId = searchSyncWorkflowId(taskQueue);
      try {
        await temporal.workflow.signalWithStart('syncSearchIndex', {
          taskQueue,
          workflowId,
          args: [{}],
          signal: searchSyncRequestedSignal,
          signalArgs: [{ rebuild: request.rebuild ?? [] }],
          typedSearchAttributes: [{ key: searchAttributes.jobKind, value: 'search-sync' }],
        });
      } catch (error) {
        throw new WorkflowEngineUnavailableError(error);
      }
      return { workflowId };
    },
  };
}

import { ScheduleAlreadyRunning, type Client, type ScheduleOptions } from '@temporalio/client';
import { reconcileScheduleId, searchAttributes, searchSyncScheduleId, warmCacheScheduleId } from '../workflows/definitions.ts';

/**
 * Creates (or brings up to date) the Schedule that runs `reconcileDocuments` on a
 * task queue every `everyMinutes`, visible and pausable in the Web UI. One run at
 * a time; a run missed while the server was down is caught up within 10 minutes.
 */
export function ensureReconcileSchedule(client: Client, taskQueue: string, everyMinutes: number): Promise<string> {
  return ensureSchedule(client, reconcileScheduleId(taskQueue), 'reconcileDocuments', 'reconcile', taskQueue, everyMinutes);
}

/** The Schedule that runs `warmCache` (the busiest search queries' vectors into the cache) every `everyMinutes`. */
export function ensureWarmCacheSchedule(client: Client, taskQueue: string, everyMinutes: number): Promise<string> {
  return ensureSchedule(client, warmCacheScheduleId(taskQueue), 'warmCache', 'warm-cache', taskQueue, everyMinutes);
}

/**
 * The Schedule that asks for a search sync every `everyMinutes`: changes whose own
 * request was lost, or made outside the platform's workflows, reach search within it.
 */
export function ensureSearchSyncSchedule(client: Client, taskQueue: string, everyMinutes: number): Promise<string> {
  return ensureSchedule(client, searchSyncScheduleId(taskQueue), 'scheduledSearchSync', 'search-sync', taskQueue, everyMinutes);
}

async function ensureSchedule(client: Client, scheduleId: string, workflowType: string, jobKind: string, taskQueue: string, everyMinutes: number) {
  const options: ScheduleOptions = {
    scheduleId,
    spec: { intervals: [{ every: `${everyMinutes}m` }] },
    action: {
      type: 'startWorkflow',
      workflowType,
      taskQueue,
      args: [{}],
      typedSearchAttributes: [{ key: searchAttributes.jobKind, value: jobKind }],
    },
    policies: { overlap: 'SKIP', catchupWindow: '10m' },
  };
  try {
    await client.schedule.create(options);
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
  }
  return scheduleId;
}

import { ScheduleAlreadyRunning, type Client, type ScheduleOptions } from '@temporalio/client';
import { reconcileScheduleId, searchAttributes } from '../workflows/definitions.ts';

/**
 * Creates (or brings up to date) the Schedule that runs `reconcileDocuments` on a
 * task queue every `everyMinutes`, visible and pausable in the Web UI. One run at
 * a time; a run missed while the server was down is caught up within 10 minutes.
 */
export async function ensureReconcileSchedule(client: Client, taskQueue: string, everyMinutes: number): Promise<string> {
  const scheduleId = reconcileScheduleId(taskQueue);
  const options: ScheduleOptions = {
    scheduleId,
    spec: { intervals: [{ every: `${everyMinutes}m` }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'reconcileDocuments',
      taskQueue,
      args: [{}],
      typedSearchAttributes: [{ key: searchAttributes.jobKind, value: 'reconcile' }],
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

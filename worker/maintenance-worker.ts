import { NativeConnection, Worker } from '@temporalio/worker';
import { createBackupActivities } from '../activities/backup.ts';
import { createKnowledgeBaseSyncActivities } from '../activities/kb-sync.ts';
import type { Platform } from '../lib/platform.ts';
import { sharedWorkflowBundle } from './runtime.ts';

export interface MaintenanceWorker {
  worker: Worker;
  /** Polls until shut down (SIGINT/SIGTERM, or `worker.shutdown()`). */
  run(): Promise<void>;
}

/**
 * The worker of the `maintenance` task queue (MAINTENANCE_TASK_QUEUE): backups,
 * restores and knowledge-base syncs. Slow, heavy and rare: a few at a time, so
 * they never starve the ingest and reports queues in the same process.
 */
export async function createMaintenanceWorker(platform: Platform, connection: NativeConnection): Promise<MaintenanceWorker> {
  const { config } = platform;
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.MAINTENANCE_TASK_QUEUE,
    workflowBundle: await sharedWorkflowBundle(),
    activities: { ...createBackupActivities(platform), ...createKnowledgeBaseSyncActivities(platform) },
    maxConcurrentActivityTaskExecutions: 4,
    maxHeartbeatThrottleInterval: '1s',
    defaultHeartbeatThrottleInterval: '1s',
    shutdownGraceTime: '10s',
  });
  return { worker, run: () => worker.run() };
}

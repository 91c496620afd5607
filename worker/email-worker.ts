import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createEmailActivities } from '../activities/email.ts';
import type { Platform } from '../lib/platform.ts';

const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface EmailWorker {
  worker: Worker;
  /** Polls until shut down (SIGINT/SIGTERM, or `worker.shutdown()`). */
  run(): Promise<void>;
  /** Closes what the activities hold (the SMTP pool), after `run` has resolved. */
  close(): Promise<void>;
}

/** The worker of the `email` task queue (EMAIL_TASK_QUEUE): sendEmail and its activities. */
export async function createEmailWorker(platform: Platform, connection: NativeConnection): Promise<EmailWorker> {
  const { config } = platform;
  const activities = createEmailActivities(platform);
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.EMAIL_TASK_QUEUE,
    workflowsPath,
    activities,
    shutdownGraceTime: '10s',
  });
  return { worker, run: () => worker.run(), close: async () => activities.close?.() };
}

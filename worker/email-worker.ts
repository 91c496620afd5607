import { NativeConnection, Worker } from '@temporalio/worker';
import { createEmailActivities } from '../activities/email.ts';
import type { Platform } from '../lib/platform.ts';
import { sharedWorkflowBundle } from './runtime.ts';

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
  // `close` is the pool's, not an activity.
  const { close, ...activities } = createEmailActivities(platform);
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.EMAIL_TASK_QUEUE,
    workflowBundle: await sharedWorkflowBundle(),
    activities,
    shutdownGraceTime: '10s',
  });
  return { worker, run: () => worker.run(), close };
}

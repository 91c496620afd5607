import { NativeConnection, Worker } from '@temporalio/worker';
import { createReportActivities } from '../activities/reports.ts';
import { createReportDeliveryActivities } from '../activities/report-delivery.ts';
import { createAnalyticsAnswers } from '../lib/analytics/answers.ts';
import { createAnalyticsEngine } from '../lib/analytics/engine.ts';
import type { Platform } from '../lib/platform.ts';
import { sharedWorkflowBundle } from './runtime.ts';

export interface ReportsWorker {
  worker: Worker;
  /** Polls until shut down (SIGINT/SIGTERM, or `worker.shutdown()`). */
  run(): Promise<void>;
}

/**
 * The worker of the `reports` task queue (REPORTS_TASK_QUEUE): generateReport and
 * its activities, over the same analytics engine and answers cache as the API, so
 * a report and a dashboard asking the same question share one computation.
 */
export async function createReportsWorker(platform: Platform, connection: NativeConnection): Promise<ReportsWorker> {
  const { config, db, blobs } = platform;
  const engine = createAnalyticsEngine(db, {
    statementTimeoutMs: config.ANALYTICS_STATEMENT_TIMEOUT_MS,
    maxCost: config.ANALYTICS_MAX_COST,
    timeZone: config.ANALYTICS_TIME_ZONE,
  });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.REPORTS_TASK_QUEUE,
    workflowBundle: await sharedWorkflowBundle(),
    activities: {
      ...createReportActivities({ db, blobs, engine, answers: createAnalyticsAnswers(platform.cache, config.ANALYTICS_CACHE_TTL_MS) }),
      // deliverReport (report-delivery Schedules): a firing's report row and its email in the outbox.
      ...createReportDeliveryActivities({
        db,
        timeZone: config.ANALYTICS_TIME_ZONE,
        emailTaskQueue: config.EMAIL_TASK_QUEUE,
        messageIdDomain: config.EMAIL_MESSAGE_ID_DOMAIN,
      }),
    },
    // Rendering and exporting are CPU-bound in this process: a few at a time keep heartbeats and the other queue on time.
    maxConcurrentActivityTaskExecutions: 4,
    // A cancel reaches a running step with its next heartbeat: send them within a second, not 80% of the timeout.
    maxHeartbeatThrottleInterval: '1s',
    defaultHeartbeatThrottleInterval: '1s',
    shutdownGraceTime: '10s',
  });
  return { worker, run: () => worker.run() };
}

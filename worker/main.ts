import { Client } from '@temporalio/client';
import { ensureReconcileSchedule } from '../client/schedules.ts';
import { loadConfig } from '../lib/config.ts';
import { createPlatform } from '../lib/platform.ts';
import { connectWorker, createIngestWorker } from './ingest-worker.ts';

/** The worker process: serves every task queue this deployment runs, and keeps their Schedules. */
const config = loadConfig();
const platform = await createPlatform(config);
const connection = await connectWorker(config);
const ingest = await createIngestWorker(platform, connection);
if (config.RECONCILE_EVERY_MINUTES > 0) {
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  await ensureReconcileSchedule(client, config.INGEST_TASK_QUEUE, config.RECONCILE_EVERY_MINUTES);
}
console.log(`worker: serving task queue ${config.INGEST_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS} (database: ${platform.db.engine})`);
try {
  await ingest.run(); // resolves after SIGINT/SIGTERM, which the SDK handles
} finally {
  await connection.close();
  await platform.close();
}

import { loadConfig } from '../lib/config.ts';
import { createPlatform } from '../lib/platform.ts';
import { createEmailWorker } from './email-worker.ts';
import { connectWorker, createIngestWorker } from './ingest-worker.ts';
import { createMaintenanceWorker } from './maintenance-worker.ts';
import { createReportsWorker } from './reports-worker.ts';

/** The worker process: serves every task queue this deployment runs, and keeps their Schedules. */
const config = loadConfig();
const platform = await createPlatform(config);
const connection = await connectWorker(config);
// One worker per task queue, in the same process: each queue scales and is rate-limited on its own.
const ingest = await createIngestWorker(platform, connection);
const reports = await createReportsWorker(platform, connection);
const email = await createEmailWorker(platform, connection);
const maintenance = await createMaintenanceWorker(platform, connection);
const workers = [ingest, reports, email, maintenance];
console.log(`worker: serving task queue ${config.INGEST_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS} (database: ${platform.db.engine})`);
console.log(`worker: serving task queues ${config.REPORTS_TASK_QUEUE}, ${config.EMAIL_TASK_QUEUE}, ${config.MAINTENANCE_TASK_QUEUE}`);
try {
  // Each resolves after SIGINT/SIGTERM, which the SDK handles for every worker; if one stops early, stop the others too.
  const stopAll = () => {
    for (const { worker } of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  await Promise.all(workers.map((w) => w.run().finally(stopAll)));
} finally {
  await email.close();
  await connection.close();
  await platform.close();
}

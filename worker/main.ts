import { loadConfig } from '../lib/config.ts';
import { createPlatform } from '../lib/platform.ts';
import { connectWorker, createIngestWorker } from './ingest-worker.ts';
import { createReportsWorker } from './reports-worker.ts';

/** The worker process: serves every task queue this deployment runs, and keeps their Schedules. */
const config = loadConfig();
const platform = await createPlatform(config);
const connection = await connectWorker(config);
const ingest = await createIngestWorker(platform, connection);
// Reports on their own queue, in the same process: each queue scales and is rate-limited on its own.
const reports = await createReportsWorker(platform, connection);
console.log(`worker: serving task queue ${config.INGEST_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS} (database: ${platform.db.engine})`);
console.log(`worker: serving task queue ${config.REPORTS_TASK_QUEUE}`);
try {
  // Both resolve after SIGINT/SIGTERM, which the SDK handles for every worker; if one stops early, stop the other too.
  const stop = (worker: { getState(): string; shutdown(): void }) => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  await Promise.all([ingest.run().finally(() => stop(reports.worker)), reports.run().finally(() => stop(ingest.worker))]);
} finally {
  await connection.close();
  await platform.close();
}

import { loadConfig } from '../lib/config.ts';
import { createPlatform } from '../lib/platform.ts';
import { connectWorker, createIngestWorker } from './ingest-worker.ts';

/** The worker process: serves every task queue this deployment runs, and keeps their Schedules. */
const config = loadConfig();
const platform = await createPlatform(config);
const connection = await connectWorker(config);
const ingest = await createIngestWorker(platform, connection);
console.log(`worker: serving task queue ${config.INGEST_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS} (database: ${platform.db.engine})`);
try {
  await ingest.run(); // resolves after SIGINT/SIGTERM, which the SDK handles
} finally {
  await connection.close();
  await platform.close();
}

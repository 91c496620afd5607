import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createIngestActivities } from '../activities/ingest.ts';
import type { Config } from '../lib/config.ts';
import type { Platform } from '../lib/platform.ts';
import { segmentForIndex } from '../lib/search/segment.ts';
import { installWorkerRuntime } from './runtime.ts';

const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** Connects a worker-side client to Temporal, with the SDK's runtime set up first. */
export function connectWorker(config: Pick<Config, 'TEMPORAL_ADDRESS' | 'LOG_LEVEL'>): Promise<NativeConnection> {
  installWorkerRuntime(config.LOG_LEVEL);
  return NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
}

/** A worker for the `ingest` task queue: the ingestion workflow and its activities. */
export async function createIngestWorker(platform: Platform, connection: NativeConnection): Promise<Worker> {
  const { config } = platform;
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.INGEST_TASK_QUEUE,
    workflowsPath,
    activities: createIngestActivities({
      db: platform.db,
      blobs: platform.blobs,
      embedder: platform.embedder,
      chunking: { maxTokens: config.CHUNK_MAX_TOKENS, overlapTokens: config.CHUNK_OVERLAP_TOKENS },
      extractLimits: { maxFileBytes: config.MAX_UPLOAD_SIZE },
      segment: segmentForIndex,
      embedBatchSize: config.EMBEDDING_BATCH_SIZE,
    }),
    // Embedding saturates the CPU; a few activities at once keep batches flowing without thrashing.
    maxConcurrentActivityTaskExecutions: 4,
    // Let a running batch finish and commit on SIGTERM before the process leaves.
    shutdownGraceTime: '10s',
  });
}

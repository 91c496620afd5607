import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createCacheWarmingActivities } from '../activities/cache-warming.ts';
import { createDocumentLifecycleActivities } from '../activities/documents.ts';
import { createIngestActivities } from '../activities/ingest.ts';
import { createOcrActivities } from '../activities/ocr.ts';
import { createReconcileActivities } from '../activities/reconcile.ts';
import { createErpImportActivities } from '../activities/erp-import.ts';
import { createSearchActivities } from '../activities/search.ts';
import { createSearchSync } from '../client/search-sync.ts';
import { createVocabulary } from '../lib/search/vocabulary.ts';
import { createDocumentWorkflows } from '../client/documents.ts';
import { ensureReconcileSchedule, ensureSearchSyncSchedule, ensureWarmCacheSchedule } from '../client/schedules.ts';
import type { Config } from '../lib/config.ts';
import { isOcrAvailable } from '../lib/documents/ocr/index.ts';
import { createPreparePool } from '../lib/documents/prepare/pool.ts';
import type { Platform } from '../lib/platform.ts';
import { createQueryEmbeddings } from '../lib/search/query-embeddings.ts';
import { installWorkerRuntime, sharedWorkflowBundle } from './runtime.ts';

/** Connects a worker-side client to Temporal, with the SDK's runtime set up first. */
export function connectWorker(config: Pick<Config, 'TEMPORAL_ADDRESS' | 'LOG_LEVEL'>): Promise<NativeConnection> {
  installWorkerRuntime(config.LOG_LEVEL);
  return NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
}

export interface IngestWorker {
  worker: Worker;
  /** Polls until shut down (SIGINT/SIGTERM, or `worker.shutdown()`), then stops the parse pool. */
  run(): Promise<void>;
}

/**
 * The worker of the `ingest` task queue: ingestion, OCR, document and knowledge-base
 * removal, and the reconcile workflow, whose Schedule it creates or brings up to date.
 */
export async function createIngestWorker(platform: Platform, connection: NativeConnection): Promise<IngestWorker> {
  const { config, db, blobs, embedder } = platform;
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  if (config.RECONCILE_EVERY_MINUTES > 0) {
    await ensureReconcileSchedule(client, config.INGEST_TASK_QUEUE, config.RECONCILE_EVERY_MINUTES);
  }
  if (config.WARM_CACHE_EVERY_MINUTES > 0) {
    await ensureWarmCacheSchedule(client, config.INGEST_TASK_QUEUE, config.WARM_CACHE_EVERY_MINUTES);
  }
  if (config.SEARCH_SYNC_EVERY_MINUTES > 0) {
    await ensureSearchSyncSchedule(client, config.INGEST_TASK_QUEUE, config.SEARCH_SYNC_EVERY_MINUTES);
  }
  const preparePool = createPreparePool({ threads: config.PARSE_THREADS });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.INGEST_TASK_QUEUE,
    workflowBundle: await sharedWorkflowBundle(),
    activities: {
      ...createIngestActivities({
        db,
        blobs,
        embedder,
        preparePool,
        chunking: { maxTokens: config.CHUNK_MAX_TOKENS, overlapTokens: config.CHUNK_OVERLAP_TOKENS },
        extractLimits: { maxFileBytes: config.MAX_UPLOAD_SIZE },
        embedBatchSize: config.EMBEDDING_BATCH_SIZE,
        ocrAvailable: await isOcrAvailable(config.OCR_LANGUAGES),
        cache: platform.cache,
      }),
      ...createOcrActivities({
        db,
        blobs,
        limits: {
          maxPages: config.OCR_MAX_PAGES,
          pageTimeoutMs: config.OCR_PAGE_TIMEOUT_MS,
          totalTimeoutMs: config.OCR_TOTAL_TIMEOUT_MS,
          languages: config.OCR_LANGUAGES,
        },
      }),
      ...createDocumentLifecycleActivities({ db, blobs, cache: platform.cache }),
      ...createCacheWarmingActivities({ db, queryEmbeddings: createQueryEmbeddings(platform.cache, embedder) }),
      ...createReconcileActivities({ db, blobs, workflows: createDocumentWorkflows(client, config.INGEST_TASK_QUEUE) }),
      ...createSearchActivities({
        db,
        engine: platform.search,
        vocabulary: createVocabulary(db),
        syncRequests: createSearchSync(client, config.INGEST_TASK_QUEUE),
      }),
      // ERP imports (importDataset) share this queue: it is the one worker a deployment runs.
      ...createErpImportActivities({ db, blobs, batchRows: 2000, cache: platform.cache }),
    },
    // Small documents spend most of their time in round trips: many in flight keep the model busy.
    maxConcurrentActivityTaskExecutions: 32,
    // A small document is prepared inside its workflow task (a local activity): a few in flight keep
    // every inference thread fed, and the rest wait on the server, not in this worker's queue.
    maxConcurrentWorkflowTaskExecutions: 20,
    // Let a running batch finish and commit on SIGTERM before the process leaves.
    shutdownGraceTime: '10s',
  });
  return {
    worker,
    async run() {
      try {
        await worker.run();
      } finally {
        await preparePool.close();
      }
    },
  };
}

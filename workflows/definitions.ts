/**
 * Names shared by workflows, workers and the API: task queues, search attributes
 * and queries. Safe to import from workflow code (no I/O).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { IndexName } from '../lib/search/indexes.ts';

/** One task queue per capability, so each scales and is rate-limited on its own. */
export const taskQueues = {
  ingest: 'ingest',
  reports: 'reports',
  email: 'email',
  maintenance: 'maintenance',
} as const;

/** Registered on the Temporal server by scripts/services.sh, so the Web UI can filter on them. */
export const searchAttributes = {
  jobKind: defineSearchAttributeKey('JobKind', SearchAttributeType.KEYWORD),
  jobStatus: defineSearchAttributeKey('JobStatus', SearchAttributeType.KEYWORD),
  tenant: defineSearchAttributeKey('Tenant', SearchAttributeType.KEYWORD),
};

export type IngestStage = 'queued' | 'extracting' | 'ocr' | 'chunking' | 'embedding' | 'indexing' | 'ready' | 'failed' | 'cancelled';

export interface IngestProgress {
  stage: IngestStage;
  /** 0..1 over the whole ingestion. */
  progress: number;
  chunks: number;
  embedded: number;
}

/** The input of `ingestDocument`. */
export interface IngestInput {
  documentId: string;
  /**
   * Prepare in a local activity (a small text document) rather than an activity task.
   * Every start since local preparation sets it, and the workflow takes its shape from
   * it: a run started before has none and replays the steps it was started with.
   */
  prepareLocally?: boolean;
}

export const ingestProgressQuery = defineQuery<IngestProgress>('progress');

/** The workflow id of a document's ingestion: from its id, so the same bytes in one knowledge base are the same run. */
export const ingestWorkflowId = (documentId: string) => `doc-${documentId}`;

/** A document's removal; a second delete request joins the first. */
export const deleteDocumentWorkflowId = (documentId: string) => `delete-doc-${documentId}`;

/** A knowledge base's removal, with all its documents. */
export const deleteKnowledgeBaseWorkflowId = (tenant: string, knowledgeBase: string) => `delete-kb-${tenant}-${knowledgeBase}`;

/** The Schedule that runs `reconcileDocuments` for one ingestion task queue. */
export const reconcileScheduleId = (taskQueue: string) => (taskQueue === 'ingest' ? 'reconcile-documents' : `reconcile-documents-${taskQueue}`);

/** The Schedule that runs `warmCache` for one task queue. */
export const warmCacheScheduleId = (taskQueue: string) => (taskQueue === 'ingest' ? 'warm-cache' : `warm-cache-${taskQueue}`);

/**
 * The one `syncSearchIndex` run per task queue: every request (ingestion, deletion,
 * an import, the Schedule, an operator's rebuild) signals it, or starts it when none
 * is open, so bursts coalesce and no two runs write the same index at once.
 */
export const searchSyncWorkflowId = (taskQueue: string) => (taskQueue === 'ingest' ? 'search-sync' : `search-sync-${taskQueue}`);

/** The Schedule that asks for a search sync every SEARCH_SYNC_EVERY_MINUTES. */
export const searchSyncScheduleId = (taskQueue: string) => (taskQueue === 'ingest' ? 'search-sync-schedule' : `search-sync-schedule-${taskQueue}`);

/** What a request to the search sync may add: indexes to rebuild from scratch (empty: just catch up). */
export interface SearchSyncRequest {
  rebuild?: IndexName[];
}

/** Sent by signal-with-start to the running `syncSearchIndex`: go round again (and rebuild these). */
export const searchSyncRequestedSignal = defineSignal<[SearchSyncRequest]>('searchSyncRequested');

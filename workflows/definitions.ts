/**
 * Names shared by workflows, workers and the API: task queues, search attributes
 * and queries. Safe to import from workflow code (no I/O).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery } from '@temporalio/workflow';

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

export type IngestStage = 'queued' | 'extracting' | 'chunking' | 'embedding' | 'indexing' | 'ready' | 'failed' | 'cancelled';

export interface IngestProgress {
  stage: IngestStage;
  /** 0..1 over the whole ingestion. */
  progress: number;
  chunks: number;
  embedded: number;
}

export const ingestProgressQuery = defineQuery<IngestProgress>('progress');

/** The workflow id of a document: its content hash, so the same bytes are the same run. */
export const ingestWorkflowId = (documentId: string) => `doc-${documentId}`;

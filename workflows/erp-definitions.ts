/** Names shared by the importDataset workflow, the worker and the API. Safe to import from workflow code. */
import { defineQuery } from '@temporalio/workflow';

export interface ImportDatasetInput {
  /** The erp_imports row; the file is in blob storage under its blob_key. */
  importId: string;
}

export interface ImportProgress {
  stage: 'queued' | 'validating' | 'importing' | 'indexing' | 'completed' | 'failed';
  /** Data rows in the file (known once validated). */
  rows: number;
  batches: number;
  batchesDone: number;
}

export const importProgressQuery = defineQuery<ImportProgress>('progress');

/** The workflow id of an import: from the import's id, so a retried start joins the same run. */
export const importWorkflowId = (importId: string) => `erp-import-${importId}`;

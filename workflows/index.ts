export { ingestDocument } from './ingest-document.ts';
export { deleteDocument } from './delete-document.ts';
export { deleteKnowledgeBase } from './delete-knowledge-base.ts';
export { reconcileDocuments } from './reconcile-documents.ts';
export { warmCache } from './warm-cache.ts';
export { syncSearchIndex } from './sync-search-index.ts';
export { scheduledSearchSync } from './scheduled-search-sync.ts';
export { importDataset } from './import-dataset.ts';

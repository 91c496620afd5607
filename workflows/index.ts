export { ingestDocument } from './ingest-document.ts';
export { deleteDocument } from './delete-document.ts';
export { deleteKnowledgeBase } from './delete-knowledge-base.ts';
export { reconcileDocuments } from './reconcile-documents.ts';
export { warmCache } from './warm-cache.ts';

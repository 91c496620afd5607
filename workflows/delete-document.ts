import { removeDocument } from './remove-document.ts';
import { requestSearchSync } from './search-sync-request.ts';

/** Removes one document: its ingestion stopped, its rows, chunks, vectors and blobs gone, then gone from search. */
export async function deleteDocument(input: { documentId: string }): Promise<{ documentId: string; deleted: boolean }> {
  const deleted = await removeDocument(input.documentId);
  if (deleted) await requestSearchSync();
  return { documentId: input.documentId, deleted };
}

import { removeDocument } from './remove-document.ts';

/** Removes one document: its ingestion stopped, its rows, chunks, vectors and blobs gone. */
export async function deleteDocument(input: { documentId: string }): Promise<{ documentId: string; deleted: boolean }> {
  return { documentId: input.documentId, deleted: await removeDocument(input.documentId) };
}

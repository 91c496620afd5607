import type { BlobStore } from '../lib/blob/port.ts';
import type { Database } from '../lib/db/index.ts';
import type { CacheScope } from '../lib/cache/index.ts';
import { extractedTextKey } from '../lib/documents/blob-keys.ts';
import { tagsOfDocumentChange } from '../lib/documents/cache-tags.ts';
import { deleteDocument, documentIdsInKnowledgeBase, getDocument, updateDocumentStage } from '../lib/documents/repository.ts';
import { deleteKnowledgeBase, markKnowledgeBaseDeleting } from '../lib/knowledge-bases/repository.ts';
import { withFailureMapping } from './failures.ts';

export interface DocumentLifecycleDeps {
  db: Database;
  blobs: BlobStore;
  /** Cached answers built from a tenant's documents are dropped on every API process when one goes. */
  cache: Pick<CacheScope, 'invalidateTags'>;
}

/** Removing documents and knowledge bases; every step is safe to run again after a crash. */
export function createDocumentLifecycleActivities({ db, blobs, cache }: DocumentLifecycleDeps) {
  const documentsChanged = (tenant: string) => cache.invalidateTags(tagsOfDocumentChange(tenant));
  return withFailureMapping({
    /** Marks a document as going away (the API shows `deleting`; reingest and duplicates are refused). */
    async markDocumentDeleting({ documentId }: { documentId: string }): Promise<{ found: boolean; blobKey?: string }> {
      const document = await getDocument(db, documentId);
      if (!document) return { found: false };
      await updateDocumentStage(db, documentId, { status: 'deleting', stage: 'deleting' });
      await documentsChanged(document.tenant);
      return { found: true, blobKey: document.blobKey };
    },

    /**
     * Removes the row (its chunks, vectors and index entries cascade), then the blobs.
     * The row goes first under the lock every ingestion write takes, so a step still
     * running finds the document gone and stops; the blob keys come from the workflow,
     * so a retry after a crash between the two still knows what to remove.
     */
    async removeDocumentData({ documentId, blobKey }: { documentId: string; blobKey: string }): Promise<void> {
      const document = await getDocument(db, documentId);
      await deleteDocument(db, documentId);
      if (document) await documentsChanged(document.tenant);
      await blobs.delete(blobKey);
      await blobs.delete(extractedTextKey(documentId));
    },

    async markKnowledgeBaseDeleting({ tenant, knowledgeBase }: { tenant: string; knowledgeBase: string }): Promise<{ found: boolean }> {
      const found = (await markKnowledgeBaseDeleting(db, tenant, knowledgeBase)) !== undefined;
      if (found) await documentsChanged(tenant);
      return { found };
    },

    async listKnowledgeBaseDocuments(input: { tenant: string; knowledgeBase: string; limit: number }): Promise<string[]> {
      return documentIdsInKnowledgeBase(db, input.tenant, input.knowledgeBase, input.limit);
    },

    async removeKnowledgeBase({ tenant, knowledgeBase }: { tenant: string; knowledgeBase: string }): Promise<void> {
      await deleteKnowledgeBase(db, tenant, knowledgeBase);
      await documentsChanged(tenant);
    },
  });
}

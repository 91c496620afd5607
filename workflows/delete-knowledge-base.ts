import { continueAsNew } from '@temporalio/workflow';
import type { deleteKnowledgeBase as Self } from './delete-knowledge-base.ts';
import { lifecycle, removeDocument } from './remove-document.ts';
import { requestSearchSync } from './search-sync-request.ts';

export interface DeleteKnowledgeBaseInput {
  tenant: string;
  knowledgeBase: string;
  /** Documents removed by earlier runs of this chain (continue-as-new keeps histories short). */
  removedBefore?: number;
}

/** Documents removed at once, and per run before the history starts afresh. */
const concurrency = 8;
const documentsPerRun = 200;

/**
 * Removes a knowledge base: marked `deleting` (uploads into it are refused), its
 * documents removed in rounds, then the knowledge base itself.
 */
export async function deleteKnowledgeBase(input: DeleteKnowledgeBaseInput): Promise<{ knowledgeBase: string; documents: number }> {
  const { tenant, knowledgeBase } = input;
  let removed = input.removedBefore ?? 0;
  const { found } = await lifecycle.markKnowledgeBaseDeleting({ tenant, knowledgeBase });
  if (!found) return { knowledgeBase, documents: removed };
  for (let thisRun = 0; ; ) {
    const ids = await lifecycle.listKnowledgeBaseDocuments({ tenant, knowledgeBase, limit: concurrency });
    if (ids.length === 0) break;
    await Promise.all(ids.map((id) => removeDocument(id)));
    removed += ids.length;
    thisRun += ids.length;
    if (thisRun >= documentsPerRun) {
      await requestSearchSync();
      return continueAsNew<typeof Self>({ tenant, knowledgeBase, removedBefore: removed });
    }
  }
  await lifecycle.removeKnowledgeBase({ tenant, knowledgeBase });
  if (removed > 0) await requestSearchSync();
  return { knowledgeBase, documents: removed };
}

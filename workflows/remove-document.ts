import { getExternalWorkflowHandle, proxyActivities } from '@temporalio/workflow';
import type { createDocumentLifecycleActivities } from '../activities/documents.ts';
import { ingestWorkflowId } from './definitions.ts';

type Lifecycle = ReturnType<typeof createDocumentLifecycleActivities>;

/** Row and blob removal: short, idempotent, retried until the database and disk answer. */
export const lifecycle = proxyActivities<Lifecycle>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/**
 * Stops a document's ingestion and removes everything it produced. Idempotent: a
 * replay or a second request finds less to do each time and ends the same way.
 */
export async function removeDocument(documentId: string): Promise<boolean> {
  const { found, blobKey } = await lifecycle.markDocumentDeleting({ documentId });
  if (!found) return false;
  try {
    await getExternalWorkflowHandle(ingestWorkflowId(documentId)).cancel();
  } catch {
    // No run is open (finished, or never started): nothing to stop. The removal below
    // takes the row lock every ingestion write takes, so it cannot race a late write.
  }
  await lifecycle.removeDocumentData({ documentId, blobKey: blobKey! });
  return true;
}

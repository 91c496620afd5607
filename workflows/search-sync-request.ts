import { CancellationScope, patched, proxyLocalActivities } from '@temporalio/workflow';
import type { SearchActivities } from '../activities/search.ts';

/** One signal-with-start from the worker itself: a local activity, no task through the server. */
const requesting = proxyLocalActivities<SearchActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 10 },
});

/**
 * The last step of a workflow that changed what search should find (a document
 * ready, a document or knowledge base removed): asks the search sync to run. The
 * change itself is already queued in `search_changes` by a trigger, so a request
 * that cannot be made fails nothing: the sync Schedule picks the change up later.
 * Runs started before this step existed replay without it (`patched`).
 */
export async function requestSearchSync(): Promise<void> {
  if (!patched('request-search-sync')) return;
  try {
    // The work is done by now: a cancellation arriving meanwhile does not undo it.
    await CancellationScope.nonCancellable(() => requesting.requestSearchSync({}));
  } catch {
    // Not asked now: the Schedule asks within SEARCH_SYNC_EVERY_MINUTES.
  }
}

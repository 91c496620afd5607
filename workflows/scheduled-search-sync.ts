import { proxyActivities } from '@temporalio/workflow';
import type { SearchActivities } from '../activities/search.ts';

const requesting = proxyActivities<SearchActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 5 },
});

/**
 * Run by the search-sync Schedule. A Schedule names each run it starts afresh, so it
 * cannot start the one `syncSearchIndex` run itself; it asks for it like every other
 * caller, and a sync already running just goes round again. Catches up changes whose
 * own request was lost, and anything changed outside the platform's workflows.
 */
export async function scheduledSearchSync(): Promise<{ workflowId: string }> {
  return requesting.requestSearchSync({});
}

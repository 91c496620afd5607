import { continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { SearchActivities } from '../activities/search.ts';
import type { IndexName } from '../lib/search/indexes.ts';
import { searchSyncRequestedSignal, type SearchSyncRequest } from './definitions.ts';
import type { syncSearchIndex as Self } from './sync-search-index.ts';

/**
 * Engine writes retry without end, with backoff: an Elasticsearch that is down for an
 * hour gets its changes when it is back (they wait in `search_changes` meanwhile).
 */
const untilTheEngineAnswers = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s' } as const;
const draining = proxyActivities<SearchActivities>({
  startToCloseTimeout: '10m',
  heartbeatTimeout: '1m',
  retry: untilTheEngineAnswers,
});
/** A rebuild reads every record: hours on a large ERP, heartbeating all along. */
const rebuilding = proxyActivities<SearchActivities>({
  startToCloseTimeout: '12h',
  heartbeatTimeout: '2m',
  retry: untilTheEngineAnswers,
});

export interface SyncSearchIndexInput extends SearchSyncRequest {
  /** Changes handled by earlier runs of this chain (continue-as-new keeps histories short). */
  handledBefore?: number;
}

/** Drain activities per run before the history starts afresh. */
const drainsPerRun = 100;

/**
 * Brings the search engine up to date with PostgreSQL: rebuilds the indexes asked
 * for, then drains the queued changes of every index until none are left. A request
 * arriving meanwhile (a signal) sends it round again, so a burst of requests is one
 * run; the run ends when a round finds nothing new was asked.
 */
export async function syncSearchIndex(input: SyncSearchIndexInput = {}): Promise<{ handled: number; rebuilt: IndexName[] }> {
  const rebuilds = new Set<IndexName>(input.rebuild ?? []);
  let requested = true;
  setHandler(searchSyncRequestedSignal, (request) => {
    requested = true;
    for (const index of request?.rebuild ?? []) rebuilds.add(index);
  });
  let handled = input.handledBefore ?? 0;
  const rebuilt: IndexName[] = [];
  let drains = 0;
  const startAfresh = () => continueAsNew<typeof Self>({ rebuild: [...rebuilds], handledBefore: handled });

  while (requested || rebuilds.size > 0) {
    if (drains >= drainsPerRun || workflowInfo().continueAsNewSuggested) return startAfresh();
    requested = false;
    for (const index of [...rebuilds]) {
      await rebuilding.rebuildSearchIndex({ index });
      rebuilds.delete(index);
      rebuilt.push(index);
    }
    for (;;) {
      const drained = await draining.drainSearchChanges();
      drains++;
      handled += Object.values(drained.handled).reduce((sum, n) => sum + n, 0);
      for (const index of drained.rebuild) rebuilds.add(index);
      if (!drained.more) break;
      if (drains >= drainsPerRun || workflowInfo().continueAsNewSuggested) return startAfresh();
    }
  }
  return { handled, rebuilt };
}

import { Context } from '@temporalio/activity';
import type { Database } from '../lib/db/index.ts';
import { INDEX_NAMES, type IndexName } from '../lib/search/indexes.ts';
import type { SearchEngine } from '../lib/search/port.ts';
import { backlogExceeds, drainChanges, rebuildIndex, type SyncParts } from '../lib/search/sync.ts';
import type { Vocabulary } from '../lib/search/vocabulary.ts';
import type { SearchSyncRequest } from '../workflows/definitions.ts';
import { keepBeating } from './heartbeat.ts';
import { withFailureMapping } from './failures.ts';

/** What asking for a search sync needs of the workflow engine (client/search-sync.ts provides it). */
export interface SearchSyncRequests {
  /** Signals the one sync run of this deployment, starting it when none is open. */
  request(request?: SearchSyncRequest): Promise<{ workflowId: string }>;
}

export interface SearchActivityDeps {
  db: Database;
  engine: SearchEngine;
  vocabulary: Pick<Vocabulary, 'record' | 'reset'>;
  syncRequests: SearchSyncRequests;
  /** Records per engine write. */
  batchSize?: number;
  /** Time one drain activity keeps going before it hands back to its workflow (which may continue as new). */
  drainBudgetMs?: number;
  /** Queued changes of one index past which it is rebuilt rather than drained (a generator's million rows). */
  rebuildBacklog?: number;
}

export interface DrainResult {
  /** Changes handled per index. */
  handled: Record<IndexName, number>;
  /** Changes were left because the time budget ran out. */
  more: boolean;
  /** Indexes whose backlog is better rebuilt; the workflow rebuilds them. */
  rebuild: IndexName[];
}

/** The search index kept true to PostgreSQL, for the `syncSearchIndex` workflow; and the request that runs it. */
export function createSearchActivities(deps: SearchActivityDeps) {
  const { db, syncRequests, batchSize = 500, drainBudgetMs = 20_000, rebuildBacklog = 50_000 } = deps;
  const parts = { db, engine: deps.engine, vocabulary: deps.vocabulary };
  return withFailureMapping({
    /**
     * Drains every index's queued changes into the engine, batch by batch, heartbeating
     * meanwhile. An engine that is down fails the activity (retried with backoff by the
     * workflow); the changes it did not write stay queued.
     */
    async drainSearchChanges(): Promise<DrainResult> {
      const progress = { handled: {} };
      // Beats on a timer: one engine write may spend a while in its own retries.
      const stop = keepBeating(Context.current(), () => progress);
      try {
        return await drainAll(parts, { batchSize, drainBudgetMs, rebuildBacklog }, progress);
      } finally {
        stop();
      }
    },

    /** Replaces one index from scratch (Elasticsearch: a new physical index, then an alias swap). */
    async rebuildSearchIndex({ index }: { index: IndexName }): Promise<{ index: IndexName; records: number }> {
      let progress = 0;
      const stop = keepBeating(Context.current(), () => ({ index, records: progress }));
      try {
        const { records } = await rebuildIndex(parts, index, batchSize, (n) => (progress = n));
        return { index, records };
      } finally {
        stop();
      }
    },

    /**
     * Asks for a sync: called as the last step of ingestion, deletion and ERP imports,
     * and by the Schedule. Cheap, and coalesced: the running sync just goes round again.
     */
    async requestSearchSync(request: SearchSyncRequest = {}): Promise<{ workflowId: string }> {
      return syncRequests.request(request);
    },
  });
}

/** Each index in turn, until its queue is empty, its backlog calls for a rebuild, or the time budget is spent. */
async function drainAll(
  parts: SyncParts,
  limits: { batchSize: number; drainBudgetMs: number; rebuildBacklog: number },
  progress: { handled: object },
): Promise<DrainResult> {
  const started = Date.now();
  const handled = Object.fromEntries(INDEX_NAMES.map((i) => [i, 0])) as Record<IndexName, number>;
  progress.handled = handled;
  const rebuild: IndexName[] = [];
  for (const index of INDEX_NAMES) {
    if (await backlogExceeds(parts.db, index, limits.rebuildBacklog)) {
      rebuild.push(index);
      continue;
    }
    for (;;) {
      if (Date.now() - started > limits.drainBudgetMs) return { handled, more: true, rebuild };
      const batch = await drainChanges(parts, index, limits.batchSize);
      handled[index] += batch.changes;
      if (!batch.more) break;
    }
  }
  return { handled, more: false, rebuild };
}

export type SearchActivities = ReturnType<typeof createSearchActivities>;

import { proxyActivities } from '@temporalio/workflow';
import type { createCacheWarmingActivities } from '../activities/cache-warming.ts';

const warming = proxyActivities<ReturnType<typeof createCacheWarmingActivities>>({
  startToCloseTimeout: '10m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 3 },
});

/**
 * Run by a Temporal Schedule: puts the vectors of the busiest search queries into
 * the shared cache, so their next search (on any API process) skips the model.
 */
export async function warmCache(input: { queries?: number } = {}) {
  return warming.warmQueryEmbeddings({ limit: input.queries ?? 200 });
}

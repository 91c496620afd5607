import type { CircuitBreaker, CircuitState } from './circuit-breaker.ts';

/** Counters per tier, plus the loads themselves. Plain numbers: cheap to bump on the hot path. */
export function emptyCounters() {
  return {
    l1: { hits: 0, misses: 0, staleHits: 0 },
    l2: { hits: 0, misses: 0, staleHits: 0, writes: 0, errors: 0 },
    /** Loader runs in this process. */
    loads: 0,
    /** Callers that joined a load already running in this process (single-flight). */
    mergedLoads: 0,
    /** Loads this process left to another one holding the Redis lease. */
    remoteWaits: 0,
    /** Stale values answered (grace period, soft timeout or failed refresh). */
    staleServes: 0,
    /** Cached "does not exist" answers. */
    negativeHits: 0,
    /** Lookups the existence filter answered without the loader. */
    filterRejections: 0,
    /** Loader failures (including hard timeouts). */
    errors: 0,
    hardTimeouts: 0,
  };
}

export type CacheCounters = ReturnType<typeof emptyCounters>;

/** A snapshot returned by `cache.metrics()`. */
export type CacheMetrics = CacheCounters & {
  l1: CacheCounters['l1'] & { entries: number; bytes: number };
  circuit: { state: CircuitState | 'none'; opens: number };
};

/** A copy of the counters plus the L1 fill and the circuit state, safe to hand out. */
export function snapshotMetrics(counters: CacheCounters, l1: { entries: number; bytes: number }, breaker: CircuitBreaker | undefined): CacheMetrics {
  return {
    ...counters,
    l1: { ...counters.l1, entries: l1.entries, bytes: l1.bytes },
    l2: { ...counters.l2 },
    circuit: breaker ? { state: breaker.state, opens: breaker.opens } : { state: 'none', opens: 0 },
  };
}

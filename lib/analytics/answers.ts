import { createHash } from 'node:crypto';
import type { CacheScope } from '../cache/index.ts';
import { erpTag } from '../erp/cache-tags.ts';

/**
 * Analytics answers through the cache, keyed by what was asked: the kind
 * (`query`, `pivot`, `forecast`, `anomalies`, `rows`) and the request as parsed
 * (defaults filled, so equal questions share one key). Tagged `erp`: an ERP
 * import drops them all. Concurrent equal questions run once (the cache's
 * single-flight), which is what keeps a dashboard's burst off the database.
 */
export function createAnalyticsAnswers(cache: CacheScope, ttlMs: number) {
  const answers = cache.namespace('analytics');
  return {
    answer<T>(kind: string, request: unknown, compute: () => Promise<T>): Promise<T> {
      if (ttlMs === 0) return compute();
      const key = `${kind}:${createHash('sha256').update(JSON.stringify(request)).digest('base64url')}`;
      return answers.getOrSet(key, compute, { ttl: ttlMs, tags: [erpTag] }) as Promise<T>;
    },
  };
}

export type AnalyticsAnswers = ReturnType<typeof createAnalyticsAnswers>;

/**
 * lib/cache: a tiered cache. Embedded default: L1 only (an in-process LRU).
 * With `redis`, L2 in Redis, an invalidation bus over pub/sub, and cross-process
 * single-flight leases, all behind a circuit breaker so a Redis outage leaves
 * callers with L1 and their loader, and no errors.
 */
import { randomUUID } from 'node:crypto';
import { CacheScope } from './cache-scope.ts';
import { toMs, type Duration } from './duration.ts';
import { CacheOptionsError } from './errors.ts';
import { normalDefaults, resolveEntryOptions, type EntryOptions } from './options.ts';
import type { RedisSource } from './redis-link.ts';
import { TieredCache, type CoreSettings } from './tiered-cache.ts';

export { CacheScope, CacheNamespace, type WarmEntry, type WrapOptions } from './cache-scope.ts';
export { CacheLoadTimeoutError, CacheOptionsError } from './errors.ts';
export { ExistenceFilter, type ExistenceFilterOptions, type ExistenceSource } from './existence-filter.ts';
export type { CacheMetrics } from './metrics.ts';
export { cachePresets, type EntryOptions, type PresetName } from './options.ts';
export type { Loader } from './tiered-cache.ts';
export type { Duration } from './duration.ts';

export interface CacheOptions {
  /** Prefix of every Redis key and channel, so tests and tenants never collide. Default `'cache'`. */
  prefix?: string;
  /** Enables L2, the bus and the leases. `{ url }`: the cache owns its connections; `{ client }`: shares an ioredis client. */
  redis?: RedisSource;
  /** L1 bounds. Defaults: 10,000 entries, 64 MiB of serialized values. */
  l1?: { maxEntries?: number; maxBytes?: number };
  /** Entry options for calls that give none; over the `normal` preset. */
  defaults?: EntryOptions;
  /** Breaker around Redis: open after `failureThreshold` (default 3) consecutive failures, probe after `cooldown` (default '1s'). */
  circuit?: { failureThreshold?: number; cooldown?: Duration };
  /** Cross-process loads: lease time (default '10s', at least the default hard timeout) and L2 poll interval while waiting (default '50ms'). */
  lease?: { ttl?: Duration; pollInterval?: Duration };
  /** Longest wait for one Redis command (default '500ms'). */
  commandTimeout?: Duration;
  /** How many hot keys to track (default 1,000). */
  hotKeys?: { capacity?: number };
  /** This instance on the bus (default: a random UUID). */
  instanceId?: string;
}

/** The root cache: a scope plus its lifecycle. */
export class Cache extends CacheScope {
  constructor(core: TieredCache) {
    super(core, '', []);
  }

  /** Resolves once Redis is connected and tag versions are read (at once without Redis); bounded by `timeoutMs`. */
  ready(timeoutMs?: number): Promise<void> {
    return this.core.ready(timeoutMs);
  }

  /** Closes the Redis connections the cache owns. */
  close(): Promise<void> {
    return this.core.close();
  }
}

function positiveInteger(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  throw new CacheOptionsError(`cache option "${option}" must be a positive integer (got ${JSON.stringify(value)})`);
}

/** Builds a cache; every option is checked here, once, and a bad one throws a CacheOptionsError naming it. */
export function createCache(options: CacheOptions = {}): Cache {
  const prefix = options.prefix ?? 'cache';
  if (typeof prefix !== 'string' || prefix === '') throw new CacheOptionsError('cache option "prefix" must be a non-empty string');
  const defaults = resolveEntryOptions(normalDefaults, options.defaults);
  const settings: CoreSettings = {
    prefix,
    instanceId: options.instanceId ?? randomUUID(),
    maxEntries: positiveInteger('l1.maxEntries', options.l1?.maxEntries, 10_000),
    maxBytes: positiveInteger('l1.maxBytes', options.l1?.maxBytes, 64 * 1024 * 1024),
    defaults,
    hotKeyCapacity: positiveInteger('hotKeys.capacity', options.hotKeys?.capacity, 1_000),
  };
  if (options.redis !== undefined) {
    const { url, client } = options.redis as { url?: unknown; client?: unknown };
    if ((typeof url !== 'string' || !/^rediss?:\/\//.test(url)) && (typeof client !== 'object' || client === null)) {
      throw new CacheOptionsError('cache option "redis" must be { url: "redis://…" } or { client: <ioredis client> }');
    }
    const leaseTtlMs = toMs('lease.ttl', options.lease?.ttl ?? '10s');
    if (defaults.hardTimeout > leaseTtlMs) {
      throw new CacheOptionsError(
        `cache options "lease.ttl" (${leaseTtlMs} ms) and "defaults.hardTimeout" (${defaults.hardTimeout} ms) contradict: a load would outlive its lease and run twice`,
      );
    }
    settings.redis = {
      source: options.redis,
      commandTimeoutMs: toMs('commandTimeout', options.commandTimeout ?? '500ms'),
      failureThreshold: positiveInteger('circuit.failureThreshold', options.circuit?.failureThreshold, 3),
      cooldownMs: toMs('circuit.cooldown', options.circuit?.cooldown ?? '1s'),
      leaseTtlMs,
      pollIntervalMs: Math.max(1, toMs('lease.pollInterval', options.lease?.pollInterval ?? '50ms')),
    };
  }
  return new Cache(new TieredCache(settings));
}

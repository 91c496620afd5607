import type { ResolvedEntryOptions } from './options.ts';

/**
 * What both tiers store. Short field names because every L2 value carries them.
 * `v` absent with `n: 1` is a cached "does not exist".
 */
export interface CacheEntry {
  v?: unknown;
  /** Fresh until (epoch ms). */
  f: number;
  /** Servable as stale until (epoch ms); the entry is dropped after it. */
  g: number;
  /** Versions of the entry's tags when it was written. */
  t?: Record<string, number>;
  /** 1 = negative entry. */
  n?: 1;
}

/** A TTL shortened by a random fraction of at most `jitter`, so keys written together spread their expiries. */
export function jitteredTtl(ttl: number, jitter: number, random: () => number = Math.random): number {
  return jitter > 0 ? Math.round(ttl * (1 - jitter * random())) : ttl;
}

/** Builds an entry for `value`; `undefined` makes a negative entry with the negative TTL. */
export function makeEntry(value: unknown, options: ResolvedEntryOptions, tagVersions: Record<string, number> | undefined, now = Date.now()): CacheEntry {
  const negative = value === undefined;
  const ttl = jitteredTtl(negative ? options.negativeTtl : options.ttl, options.jitter);
  const entry: CacheEntry = { f: now + ttl, g: now + ttl + (negative ? 0 : options.grace) };
  if (negative) entry.n = 1;
  else entry.v = value;
  if (tagVersions) entry.t = tagVersions;
  return entry;
}

/** `fresh`, `stale` (inside its grace period) or `expired`. */
export function freshness(entry: CacheEntry, now = Date.now()): 'fresh' | 'stale' | 'expired' {
  if (now < entry.f) return 'fresh';
  return now < entry.g ? 'stale' : 'expired';
}

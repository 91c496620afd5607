import { toMs, type Duration } from './duration.ts';
import { CacheOptionsError } from './errors.ts';
import type { ExistenceFilter } from './existence-filter.ts';

/** How one entry is kept fresh; every field may be set per call, per preset or as a cache default. */
export interface EntryOptions {
  /** Start from a named preset; the other fields here override it. */
  preset?: PresetName;
  /** How long a value is fresh. */
  ttl?: Duration;
  /** How long past its TTL a stale value may still be answered while one refresh runs; `false` = none. */
  grace?: Duration | false;
  /** Fraction (0 ≤ j < 1) of the TTL removed at random, so keys written together do not expire together. */
  jitter?: number;
  /** With a stale value at hand, wait this long for the loader before answering stale (0 = answer stale at once). */
  softTimeout?: Duration;
  /** Fail the caller with `E_CACHE_LOAD_TIMEOUT` after this long; `false` = wait for the loader. */
  hardTimeout?: Duration | false;
  /** TTL of a "does not exist" answer (the loader returned `undefined`). */
  negativeTtl?: Duration;
  /** Tags the entry belongs to; `invalidateTags` drops every entry under a tag at once. */
  tags?: readonly string[];
  /** Ask this filter first: an id it rules out is answered `undefined` without calling the loader. */
  existence?: { filter: ExistenceFilter; id: string };
}

/** EntryOptions normalized to milliseconds (0 = disabled where noted). */
export interface ResolvedEntryOptions {
  ttl: number;
  grace: number;
  jitter: number;
  softTimeout: number;
  /** 0 = no hard timeout. */
  hardTimeout: number;
  negativeTtl: number;
  tags: readonly string[];
}

/**
 * Named presets. `hot`: read constantly, changes often (search results, counters):
 * short TTL, answered stale at once while refreshing. `normal` (the default):
 * documents and lists. `cold`: rarely changing data (reports, settings).
 */
export const cachePresets = {
  hot: { ttl: '30s', grace: '5m', jitter: 0.1, softTimeout: 0, hardTimeout: '5s', negativeTtl: '5s' },
  normal: { ttl: '5m', grace: '30m', jitter: 0.1, softTimeout: 0, hardTimeout: '10s', negativeTtl: '30s' },
  cold: { ttl: '1h', grace: '24h', jitter: 0.1, softTimeout: 0, hardTimeout: '30s', negativeTtl: '5m' },
} as const satisfies Record<string, EntryOptions>;

export type PresetName = keyof typeof cachePresets;

/** Merges `options` over `base` and checks the result; throws a CacheOptionsError naming the option. */
export function resolveEntryOptions(base: ResolvedEntryOptions, options: EntryOptions | undefined): ResolvedEntryOptions {
  if (!options) return base;
  let from = base;
  if (options.preset !== undefined) {
    const preset = cachePresets[options.preset];
    if (!preset) throw new CacheOptionsError(`cache option "preset" must be one of ${Object.keys(cachePresets).join(', ')} (got ${JSON.stringify(options.preset)})`);
    from = resolveEntryOptions(base, { ...preset, tags: base.tags });
  }
  const resolved: ResolvedEntryOptions = {
    ttl: options.ttl === undefined ? from.ttl : toMs('ttl', options.ttl),
    grace: options.grace === undefined ? from.grace : options.grace === false ? 0 : toMs('grace', options.grace),
    jitter: options.jitter === undefined ? from.jitter : options.jitter,
    softTimeout: options.softTimeout === undefined ? from.softTimeout : toMs('softTimeout', options.softTimeout),
    hardTimeout:
      options.hardTimeout === undefined ? from.hardTimeout : options.hardTimeout === false ? 0 : toMs('hardTimeout', options.hardTimeout),
    negativeTtl: options.negativeTtl === undefined ? from.negativeTtl : toMs('negativeTtl', options.negativeTtl),
    tags: options.tags === undefined ? from.tags : options.tags,
  };
  if (typeof resolved.jitter !== 'number' || !(resolved.jitter >= 0 && resolved.jitter < 1)) {
    throw new CacheOptionsError(`cache option "jitter" must be a fraction with 0 <= jitter < 1 (got ${JSON.stringify(options.jitter)})`);
  }
  if (resolved.ttl <= 0) throw new CacheOptionsError('cache option "ttl" must be greater than 0');
  if (resolved.hardTimeout > 0 && resolved.softTimeout >= resolved.hardTimeout) {
    throw new CacheOptionsError(
      `cache options "softTimeout" (${resolved.softTimeout} ms) and "hardTimeout" (${resolved.hardTimeout} ms) contradict: the soft timeout must be shorter`,
    );
  }
  if (!Array.isArray(resolved.tags) || resolved.tags.some((tag) => typeof tag !== 'string' || tag === '')) {
    throw new CacheOptionsError('cache option "tags" must be an array of non-empty strings');
  }
  return resolved;
}

/** The starting point of every resolution: the `normal` preset, fully resolved. */
export const normalDefaults: ResolvedEntryOptions = resolveEntryOptions(
  { ttl: 1, grace: 0, jitter: 0, softTimeout: 0, hardTimeout: 0, negativeTtl: 0, tags: [] },
  cachePresets.normal,
);

import type { ExistenceFilter, ExistenceFilterOptions } from './existence-filter.ts';
import type { CacheMetrics } from './metrics.ts';
import { resolveEntryOptions, type EntryOptions } from './options.ts';
import type { Loader, TieredCache } from './tiered-cache.ts';
import { CacheOptionsError } from './errors.ts';

/** One key to preload: what `warm` takes (the API feeds it the hottest keys). */
export interface WarmEntry {
  key: string;
  loader: Loader<unknown>;
  options?: EntryOptions;
}

/** `wrap` options: how to name the cache key from the arguments, plus entry options. */
export type WrapOptions<A extends unknown[]> = EntryOptions & { key: (...args: A) => string };

const warmConcurrency = 4;

/**
 * The cache as callers see it. The root scope has no key prefix; `namespace(name)`
 * gives a scope whose keys live under `name:` and carry the tag `ns:<name>`, so
 * `clearNamespace()` drops them all at once (a tag bump, O(1)).
 */
export class CacheScope {
  constructor(
    protected readonly core: TieredCache,
    private readonly keyPrefix: string,
    private readonly scopeTags: readonly string[],
  ) {}

  /** The cached value of `key`, or the loader's (stored for next time); `undefined` = "does not exist". */
  getOrSet<T>(key: string, loader: Loader<T>, options?: EntryOptions): Promise<T | undefined> {
    return this.core.getOrSet(this.keyPrefix + key, loader, options, this.scopeTags);
  }

  /** The value of `key` if cached and servable (fresh or within grace), without loading. */
  get<T>(key: string): Promise<T | undefined> {
    return this.core.get<T>(this.keyPrefix + key);
  }

  /** Stores `value` in both tiers; other instances drop their L1 copy. */
  set(key: string, value: unknown, options?: EntryOptions): Promise<void> {
    return this.core.set(this.keyPrefix + key, value, options, this.scopeTags);
  }

  /** Removes keys from both tiers and from every instance's L1. */
  delete(...keys: string[]): Promise<void> {
    return this.core.delete(keys.map((key) => this.keyPrefix + key));
  }

  /** Makes every entry under these tags a miss, on every instance. */
  invalidateTags(tags: readonly string[]): Promise<void> {
    return this.core.invalidateTags(tags);
  }

  /**
   * Caches an async function: `wrap(fn, { key: (id) => \`doc:${id}\`, ttl: '1m' })`.
   * Options are checked here, once.
   */
  wrap<A extends unknown[], T>(fn: (...args: A) => Promise<T | undefined>, options: WrapOptions<A>): (...args: A) => Promise<T | undefined> {
    const { key, ...entryOptions } = options ?? ({} as WrapOptions<A>);
    if (typeof key !== 'function') throw new CacheOptionsError('wrap option "key" must be a function of the arguments');
    resolveEntryOptions(this.core.defaults, entryOptions);
    return (...args: A) => this.getOrSet(key(...args), () => fn(...args), entryOptions);
  }

  /** A sub-cache under `name:`; nested namespaces stack their prefixes and tags. */
  namespace(name: string): CacheNamespace {
    if (typeof name !== 'string' || name === '' || name.includes(':')) {
      throw new CacheOptionsError('namespace name must be a non-empty string without ":"');
    }
    const prefix = `${this.keyPrefix}${name}:`;
    return new CacheNamespace(this.core, prefix, [...this.scopeTags, `ns:${prefix}`]);
  }

  /** Preloads keys (skipping fresh ones), a few at a time; failures are counted, not thrown. */
  async warm(entries: readonly WarmEntry[]): Promise<{ warmed: number; failed: number }> {
    let next = 0;
    let failed = 0;
    const worker = async () => {
      while (next < entries.length) {
        const entry = entries[next++]!;
        await this.getOrSet(entry.key, entry.loader, entry.options).catch(() => (failed += 1));
      }
    };
    await Promise.all(Array.from({ length: Math.min(warmConcurrency, entries.length) }, worker));
    return { warmed: entries.length - failed, failed };
  }

  /** The most accessed keys (full keys, namespaces included), busiest first. */
  hotKeys(limit?: number): { key: string; count: number }[] {
    return this.core.hotKeys(limit);
  }

  /** A Bloom filter of existing ids, kept coherent across instances over the bus; call `seed()` at start. */
  createExistenceFilter(options: ExistenceFilterOptions): ExistenceFilter {
    return this.core.createExistenceFilter(options);
  }

  /**
   * Tells the existence filter `name` about new ids wherever it lives: this
   * process's (a worker beside the API in one process) and, over the bus, every
   * other process's. For work that creates ids outside the process owning the filter.
   */
  addToExistenceFilter(name: string, ...items: string[]): void {
    this.core.addToExistenceFilter(name, items);
  }

  metrics(): CacheMetrics {
    return this.core.metrics();
  }
}

/** A namespace: a scope whose entries can all be cleared at once. */
export class CacheNamespace extends CacheScope {
  constructor(
    core: TieredCache,
    keyPrefix: string,
    private readonly tags: readonly string[],
  ) {
    super(core, keyPrefix, tags);
  }

  /** Drops every entry of this namespace (and of namespaces inside it), on every instance. */
  clearNamespace(): Promise<void> {
    return this.core.invalidateTags([this.tags[this.tags.length - 1]!]);
  }
}

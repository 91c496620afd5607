import { InvalidationBus, type BusMessage } from './bus.ts';
import { freshness, makeEntry, type CacheEntry } from './entry.ts';
import { ExistenceFilter, type ExistenceFilterOptions } from './existence-filter.ts';
import { KeyWaiters, orFallbackAfter, withHardTimeout } from './flight.ts';
import { HotKeys } from './hot-keys.ts';
import { L2Tier } from './l2-tier.ts';
import { Leases } from './lease.ts';
import { MemoryTier } from './memory-tier.ts';
import { emptyCounters, snapshotMetrics, type CacheMetrics } from './metrics.ts';
import { resolveEntryOptions, type EntryOptions, type ResolvedEntryOptions } from './options.ts';
import { RedisLink, type RedisSource } from './redis-link.ts';
import { TagVersions } from './tag-versions.ts';
import { CacheOptionsError } from './errors.ts';

/** A loader answers the value, or `undefined` for "does not exist" (cached with the negative TTL). */
export type Loader<T> = () => Promise<T | undefined> | T | undefined;

/** Everything the core needs, already validated and in milliseconds (see `createCache`). */
export interface CoreSettings {
  prefix: string;
  instanceId: string;
  maxEntries: number;
  maxBytes: number;
  defaults: ResolvedEntryOptions;
  hotKeyCapacity: number;
  redis?: { source: RedisSource; commandTimeoutMs: number; failureThreshold: number; cooldownMs: number; leaseTtlMs: number; pollIntervalMs: number };
}

/**
 * The tiers and how a key moves through them: L1, then L2, then one load per key
 * (joined inside the process, leased across processes). Keys here are full keys;
 * namespaces are applied by `CacheScope`.
 */
export class TieredCache {
  readonly counters = emptyCounters();
  private readonly l1: MemoryTier;
  private readonly hot: HotKeys;
  private readonly tags: TagVersions;
  private readonly link?: RedisLink;
  private readonly l2?: L2Tier;
  private readonly bus?: InvalidationBus;
  private readonly leases?: Leases;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly waiters = new KeyWaiters();
  private readonly filters = new Map<string, ExistenceFilter>();

  constructor(private readonly settings: CoreSettings) {
    this.l1 = new MemoryTier(settings.maxEntries, settings.maxBytes);
    this.hot = new HotKeys(settings.hotKeyCapacity);
    const redis = settings.redis;
    if (redis) {
      this.link = new RedisLink({ ...redis, prefix: settings.prefix, counters: this.counters });
      this.l2 = new L2Tier(this.link, this.counters);
      this.leases = new Leases(this.link, redis.leaseTtlMs);
      this.bus = new InvalidationBus(this.link, settings.instanceId, {
        message: (message) => this.onBusMessage(message),
        reconnected: () => void this.onBusReconnected(),
      });
    }
    this.tags = new TagVersions(this.link);
  }

  get defaults(): ResolvedEntryOptions {
    return this.settings.defaults;
  }

  async ready(timeoutMs = 3_000): Promise<void> {
    await this.link?.ready(timeoutMs);
    await this.bus?.ready(timeoutMs);
    await this.tags.reload();
  }

  async getOrSet<T>(key: string, loader: Loader<T>, options: EntryOptions | undefined, scopeTags: readonly string[]): Promise<T | undefined> {
    this.hot.record(key);
    const existence = options?.existence;
    if (existence && !existence.filter.mightContain(existence.id)) {
      this.counters.filterRejections += 1;
      return undefined;
    }
    let stale: CacheEntry | undefined;
    const local = this.l1Lookup(key);
    if (local) {
      if (freshness(local) === 'fresh') return this.valueOf(local) as T | undefined;
      stale = local;
    }
    const running = stale ? undefined : this.inflight.get(key);
    if (running) {
      // Joining before the L2 read: a stampede costs one Redis round trip per process, not one per caller.
      this.counters.mergedLoads += 1;
      return withHardTimeout(running as Promise<T | undefined>, this.resolve(options, scopeTags).hardTimeout, key, () => (this.counters.hardTimeouts += 1));
    }
    const resolved = this.resolve(options, scopeTags); // before the lease: a bad option must not strand one
    let leaseToken: string | undefined;
    if (this.leases) {
      const outcome = await this.leases.lookupOrAcquire(key);
      const remote = outcome.state === 'unavailable' ? undefined : this.l2Accept(key, this.l2!.parse(outcome.entry));
      if (remote && freshness(remote) === 'fresh') return this.valueOf(remote) as T | undefined;
      if (remote && (!stale || remote.f > stale.f)) stale = remote;
      if (outcome.state === 'won') leaseToken = outcome.token;
    }
    const flight = this.flight(key, loader, resolved, leaseToken);
    if (stale) {
      this.counters.staleServes += 1;
      if (resolved.softTimeout === 0) {
        flight.catch(() => {}); // the one background refresh; its failure is counted where it ran
        return this.valueOf(stale) as T | undefined;
      }
      return orFallbackAfter(flight, resolved.softTimeout, this.valueOf(stale) as T | undefined);
    }
    return withHardTimeout(flight, resolved.hardTimeout, key, () => (this.counters.hardTimeouts += 1));
  }

  /** The value when present and servable (fresh or in grace), without loading. */
  async get<T>(key: string): Promise<T | undefined> {
    this.hot.record(key);
    const local = this.l1Lookup(key);
    if (local) return this.valueOf(local) as T | undefined;
    const remote = this.l2 ? await this.l2Lookup(key) : undefined;
    return remote ? (this.valueOf(remote) as T | undefined) : undefined;
  }

  async set(key: string, value: unknown, options: EntryOptions | undefined, scopeTags: readonly string[]): Promise<void> {
    await this.store(key, value, this.resolve(options, scopeTags));
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) this.l1.delete(key);
    await this.l2?.delete(keys);
    await this.bus?.publish({ type: 'delete', keys });
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    const versions = await this.tags.bump(tags);
    await this.bus?.publish({ type: 'tags', versions });
  }

  hotKeys(limit?: number): { key: string; count: number }[] {
    return this.hot.top(limit);
  }

  createExistenceFilter(options: ExistenceFilterOptions): ExistenceFilter {
    if (this.filters.has(options?.name)) throw new CacheOptionsError(`an existence filter named "${options.name}" already exists`);
    const filter = new ExistenceFilter(options, {
      broadcast: (name, items) => void this.bus?.publish({ type: 'filter', name, items }),
    });
    this.filters.set(filter.name, filter);
    return filter;
  }

  addToExistenceFilter(name: string, items: string[]): void {
    const filter = this.filters.get(name);
    if (filter) filter.add(...items);
    else void this.bus?.publish({ type: 'filter', name, items });
  }

  metrics(): CacheMetrics {
    return snapshotMetrics(this.counters, this.l1, this.link?.breaker);
  }

  async close(): Promise<void> {
    this.bus?.close();
    await this.link?.close();
  }

  private resolve(options: EntryOptions | undefined, scopeTags: readonly string[]): ResolvedEntryOptions {
    const resolved = resolveEntryOptions(this.settings.defaults, options);
    return scopeTags.length === 0 ? resolved : { ...resolved, tags: [...scopeTags, ...resolved.tags] };
  }

  private l1Lookup(key: string): CacheEntry | undefined {
    const entry = this.l1.get(key);
    if (entry && this.tags.isCurrent(entry) && freshness(entry) !== 'expired') {
      if (freshness(entry) === 'fresh') this.counters.l1.hits += 1;
      else this.counters.l1.staleHits += 1;
      return entry;
    }
    if (entry) this.l1.delete(key);
    this.counters.l1.misses += 1;
    return undefined;
  }

  private async l2Lookup(key: string): Promise<CacheEntry | undefined> {
    return this.l2Accept(key, await this.l2!.get(key));
  }

  /** Counts an L2 read; a servable entry is answered (and promoted to L1 when fresh). */
  private l2Accept(key: string, found: { entry: CacheEntry; size: number } | undefined): CacheEntry | undefined {
    if (found && this.tags.isCurrent(found.entry) && freshness(found.entry) !== 'expired') {
      if (freshness(found.entry) === 'fresh') {
        this.counters.l2.hits += 1;
        this.l1.set(key, found.entry, found.size);
      } else this.counters.l2.staleHits += 1;
      return found.entry;
    }
    this.counters.l2.misses += 1;
    return undefined;
  }

  private valueOf(entry: CacheEntry): unknown {
    if (entry.n === 1) this.counters.negativeHits += 1;
    return entry.v;
  }

  /** Joins the load of `key` running in this process, or starts it (single-flight). */
  private flight<T>(key: string, loader: Loader<T>, options: ResolvedEntryOptions, leaseToken?: string): Promise<T | undefined> {
    const running = this.inflight.get(key);
    if (running) {
      this.counters.mergedLoads += 1;
      if (leaseToken) void this.leases!.release(key, leaseToken); // a load started meanwhile (set or warm): not ours to run
      return running as Promise<T | undefined>;
    }
    const started = (leaseToken ? this.loadUnderLease(key, loader, options, leaseToken) : this.load(key, loader, options)).finally(() =>
      this.inflight.delete(key),
    );
    this.inflight.set(key, started);
    return started;
  }

  /**
   * One load per key across processes: whoever wins the Redis lease runs the
   * loader; the others wait for its `set` on the bus (or poll L2), and take over
   * if the lease expires without a value. Bounded: past three lease times, or
   * with Redis away, this process loads by itself.
   */
  private async load<T>(key: string, loader: Loader<T>, options: ResolvedEntryOptions): Promise<T | undefined> {
    const redis = this.settings.redis;
    if (!redis || !this.leases) return this.runLoader(key, loader, options);
    const deadline = Date.now() + redis.leaseTtlMs * 3;
    let waited = false;
    while (Date.now() < deadline) {
      const lease = await this.leases.acquire(key);
      if (lease.state === 'unavailable') break;
      // Read with the lease: a value that landed since our miss (loaded and released meanwhile) is taken as is.
      const landed = this.acceptFromL2(key, lease.entry);
      if (lease.state === 'won') {
        if (!landed) return this.loadUnderLease(key, loader, options, lease.token);
        await this.leases.release(key, lease.token);
        return landed.v as T | undefined;
      }
      if (landed) return landed.v as T | undefined;
      if (!waited) this.counters.remoteWaits += 1;
      waited = true;
      await this.waiters.wait(key, redis.pollIntervalMs);
      const woken = await this.l2!.get(key);
      const found = woken && this.acceptFromL2(key, null, woken);
      if (found) return found.v as T | undefined;
    }
    return this.runLoader(key, loader, options);
  }

  /** Runs the loader while holding the lease; the value's write releases it, a failure releases it here. */
  private async loadUnderLease<T>(key: string, loader: Loader<T>, options: ResolvedEntryOptions, token: string): Promise<T | undefined> {
    let handedOff = false;
    try {
      const value = await this.callLoader(loader);
      handedOff = await this.store(key, value, options, token);
      return value;
    } finally {
      if (!handedOff) await this.leases!.release(key, token);
    }
  }

  /** A fresh, current entry read from L2 (raw or parsed), promoted to L1; else undefined. */
  private acceptFromL2(key: string, raw: string | null, parsed = this.l2!.parse(raw)): CacheEntry | undefined {
    if (!parsed || !this.tags.isCurrent(parsed.entry) || freshness(parsed.entry) !== 'fresh') return undefined;
    this.l1.set(key, parsed.entry, parsed.size);
    return parsed.entry;
  }

  private async runLoader<T>(key: string, loader: Loader<T>, options: ResolvedEntryOptions): Promise<T | undefined> {
    const value = await this.callLoader(loader);
    await this.store(key, value, options);
    return value;
  }

  private async callLoader<T>(loader: Loader<T>): Promise<T | undefined> {
    this.counters.loads += 1;
    try {
      return await loader();
    } catch (error) {
      this.counters.errors += 1;
      throw error;
    }
  }

  /** Writes both tiers; with Redis, the write, its bus notice and the lease release are one pipeline. */
  private async store(key: string, value: unknown, options: ResolvedEntryOptions, leaseToken?: string): Promise<boolean> {
    const entry = makeEntry(value, options, this.tags.stamp(options.tags));
    const serialized = JSON.stringify(entry);
    this.l1.set(key, entry, serialized.length);
    if (this.l2) {
      const written = await this.l2.set(key, serialized, entry, (pipeline) => {
        this.bus!.queuePublish(pipeline, { type: 'set', keys: [key] });
        if (leaseToken) this.leases!.queueRelease(pipeline, key, leaseToken);
      });
      this.waiters.wake(key); // the bus skips our own notices: wake local waiters here
      return written;
    }
    return false;
  }

  private onBusMessage(message: BusMessage): void {
    if (message.type === 'tags') this.tags.apply(message.versions);
    else if (message.type === 'filter') this.filters.get(message.name)?.applyRemote(message.items);
    else
      for (const key of message.keys) {
        this.l1.delete(key);
        if (message.type === 'set') this.waiters.wake(key);
      }
  }

  /** Messages may have been lost while the bus was down: forget L1, re-read tag versions, rebuild filters. */
  private async onBusReconnected(): Promise<void> {
    this.l1.clear();
    await this.tags.reload();
    await Promise.all([...this.filters.values()].map((filter) => filter.seed().catch(() => {})));
  }
}

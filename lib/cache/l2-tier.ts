import type { ChainableCommander } from 'ioredis';
import type { CacheEntry } from './entry.ts';
import type { CacheCounters } from './metrics.ts';
import type { RedisLink } from './redis-link.ts';

/**
 * L2: entries as JSON strings under `<prefix>:e:<key>`, expiring in Redis at the
 * end of their grace period. Every call goes through the link's breaker: when
 * Redis is away a read is a miss and a write is skipped.
 */
export class L2Tier {
  constructor(
    private readonly link: RedisLink,
    private readonly counters: CacheCounters,
  ) {}

  /** The entry and its serialized length, or undefined (absent, unreadable, or Redis away). */
  async get(key: string): Promise<{ entry: CacheEntry; size: number } | undefined> {
    return this.parse(await this.link.guard((redis) => redis.get(this.link.key('e', key)), null));
  }

  /** Parses a stored entry; another writer's garbage is a miss, never an error to callers. */
  parse(raw: string | null): { entry: CacheEntry; size: number } | undefined {
    if (raw === null) return undefined;
    try {
      return { entry: JSON.parse(raw) as CacheEntry, size: raw.length };
    } catch {
      return undefined;
    }
  }

  /**
   * Writes an entry (true when written); `then` appends commands to the same pipeline (the bus
   * notice, the lease release), so a load costs one round trip to publish.
   */
  async set(key: string, serialized: string, entry: CacheEntry, then?: (pipeline: ChainableCommander) => void): Promise<boolean> {
    const px = Math.max(1, entry.g - Date.now());
    const ok = await this.link.guard(async (redis) => {
      const pipeline = redis.pipeline().set(this.link.key('e', key), serialized, 'PX', px);
      then?.(pipeline);
      const replies = await pipeline.exec();
      const failed = replies?.find(([error]) => error);
      if (!replies || failed) throw failed?.[0] ?? new Error('pipeline aborted');
      return true;
    }, false);
    if (ok) this.counters.l2.writes += 1;
    return ok;
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.link.guard((redis) => redis.del(...keys.map((key) => this.link.key('e', key))), 0);
  }
}

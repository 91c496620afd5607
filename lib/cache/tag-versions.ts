import type { CacheEntry } from './entry.ts';
import type { RedisLink } from './redis-link.ts';

/**
 * Tag invalidation in O(1): each tag has a version counter; an entry records the
 * versions of its tags when written, and is valid only while none of them has
 * moved on. Bumping a tag therefore drops everything under it in both tiers
 * without finding or deleting a single key. With Redis the counters live in the
 * hash `<prefix>:tags` (HINCRBY) and bumps reach other instances over the bus;
 * locally each instance keeps the highest version it has seen.
 */
export class TagVersions {
  private readonly versions = new Map<string, number>();

  constructor(private readonly link: RedisLink | undefined) {}

  /** The current versions of `tags`, to store in a new entry; undefined when there are no tags. */
  stamp(tags: readonly string[]): Record<string, number> | undefined {
    if (tags.length === 0) return undefined;
    const stamp: Record<string, number> = {};
    for (const tag of tags) stamp[tag] = this.versions.get(tag) ?? 0;
    return stamp;
  }

  /** Whether no tag of `entry` was invalidated after it was written. */
  isCurrent(entry: CacheEntry): boolean {
    const stamp = entry.t;
    if (stamp === undefined) return true;
    for (const tag in stamp) if (stamp[tag]! < (this.versions.get(tag) ?? 0)) return false;
    return true;
  }

  /** Bumps `tags` (in Redis when reachable, else locally only) and returns the new versions to broadcast. */
  async bump(tags: readonly string[]): Promise<Record<string, number>> {
    const hash = this.link && `${this.link.prefix}:tags`;
    const remote =
      this.link && hash
        ? await this.link.guard(async (redis) => {
            const pipeline = redis.multi();
            for (const tag of tags) pipeline.hincrby(hash, tag, 1);
            const results = await pipeline.exec();
            return results?.map(([error, value]) => {
              if (error) throw error;
              return Number(value);
            });
          }, undefined)
        : undefined;
    const bumped: Record<string, number> = {};
    tags.forEach((tag, index) => {
      const local = (this.versions.get(tag) ?? 0) + 1;
      bumped[tag] = Math.max(remote?.[index] ?? local, local);
    });
    this.apply(bumped);
    return bumped;
  }

  /** Takes versions announced by another instance. */
  apply(versions: Record<string, number>): void {
    for (const tag in versions) {
      const version = versions[tag]!;
      if (version > (this.versions.get(tag) ?? 0)) this.versions.set(tag, version);
    }
  }

  /** Reads every version from Redis: at start, and after a break in the bus during which bumps may have been missed. */
  async reload(): Promise<void> {
    if (!this.link) return;
    const all = await this.link.guard((redis) => redis.hgetall(`${this.link!.prefix}:tags`), undefined);
    if (!all) return;
    const versions: Record<string, number> = {};
    for (const tag in all) versions[tag] = Number(all[tag]);
    this.apply(versions);
  }
}

import { randomUUID } from 'node:crypto';
import type { ChainableCommander } from 'ioredis';
import type { RedisLink } from './redis-link.ts';

// Delete the lease only if it still holds our token: a lease that expired and was
// taken over by another process must not be released by the first holder.
const releaseScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * `won`: we run the loader. `held`: another process does. `unavailable`: Redis is
 * away, load locally. `entry` is the L2 value read in the same round trip, which
 * may have landed since our first miss.
 */
export type LeaseOutcome = ({ state: 'won'; token: string } | { state: 'held' }) & { entry: string | null } | { state: 'unavailable' };

/**
 * Cross-process single-flight: one Redis key per cache key, `SET NX PX` with a
 * random token. The lease expires by itself, so a crashed holder delays the
 * others by at most the lease time, after which one of them takes over.
 */
// A miss and a lease in one round trip: the entry if there is one, else try to take the lease.
const lookupScript = `local v = redis.call('get', KEYS[1])
if v then return {v, 0} end
if redis.call('set', KEYS[2], ARGV[1], 'PX', ARGV[2], 'NX') then return {'', 1} end
return {'', 0}`;

/** The release script as a command ioredis runs by EVALSHA (the script is sent once per connection, not per load). */
type WithRelease = {
  cacheReleaseLease(key: string, token: string): Promise<number>;
  cacheLookupOrLease(entryKey: string, leaseKey: string, token: string, ttlMs: number): Promise<[string, number]>;
};

export class Leases {
  constructor(
    private readonly link: RedisLink,
    private readonly ttlMs: number,
  ) {
    link.client.defineCommand('cacheReleaseLease', { numberOfKeys: 1, lua: releaseScript });
    link.client.defineCommand('cacheLookupOrLease', { numberOfKeys: 2, lua: lookupScript });
  }

  /**
   * The L1-miss path: reads the entry and, only if there is none, takes the
   * lease, atomically. A cold key thus costs one round trip before its loader.
   */
  async lookupOrAcquire(key: string): Promise<LeaseOutcome> {
    const token = randomUUID();
    const reply = await this.link.guard(
      (redis) => (redis as unknown as WithRelease).cacheLookupOrLease(this.link.key('e', key), this.link.key('l', key), token, this.ttlMs),
      undefined,
    );
    if (reply === undefined) return { state: 'unavailable' };
    const entry = reply[0] === '' ? null : reply[0];
    return reply[1] === 1 ? { state: 'won', token, entry } : { state: 'held', entry };
  }

  /** Tries to take the lease and reads the entry, in one round trip. */
  async acquire(key: string): Promise<LeaseOutcome> {
    const token = randomUUID();
    const result = await this.link.guard(async (redis) => {
      const replies = await redis.pipeline().set(this.link.key('l', key), token, 'PX', this.ttlMs, 'NX').get(this.link.key('e', key)).exec();
      if (!replies) throw new Error('pipeline aborted');
      for (const [error] of replies) if (error) throw error;
      return { won: replies[0]![1] === 'OK', entry: replies[1]![1] as string | null };
    }, undefined);
    if (result === undefined) return { state: 'unavailable' };
    return result.won ? { state: 'won', token, entry: result.entry } : { state: 'held', entry: result.entry };
  }

  async release(key: string, token: string): Promise<void> {
    await this.link.guard((redis) => (redis as unknown as WithRelease).cacheReleaseLease(this.link.key('l', key), token), 0);
  }

  /** Appends the release to a pipeline (after the write of the value, so waiters find it). */
  queueRelease(pipeline: ChainableCommander, key: string, token: string): void {
    void (pipeline as unknown as WithRelease).cacheReleaseLease(this.link.key('l', key), token);
  }
}

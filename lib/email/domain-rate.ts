/**
 * The per-domain send rate: at most N messages a minute to any one recipient domain, counted across
 * every email worker (in Redis when REDIS_URL is set, in this process's memory otherwise, and in
 * memory while Redis is down). A message over the budget is not a failure: the activity asks
 * Temporal to retry it once the window has room (ApplicationFailure.nextRetryDelay).
 */
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface DomainRate {
  /**
   * Takes one message's worth of budget from each of the recipients' domains. Returns 0 when sent may
   * go ahead, else the milliseconds until the fullest domain's window has room.
   */
  take(recipients: string[]): Promise<number>;
  close(): Promise<void>;
}

export interface DomainRateOptions {
  perMinute: number;
  redisUrl?: string;
  /** Keys are `<prefix>:email-rate:<domain>`; tests use a unique prefix. */
  keyPrefix: string;
  /** Window length; a minute unless a test shortens it. */
  windowSeconds?: number;
}

export const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

export function createDomainRate(options: DomainRateOptions): DomainRate {
  const base = { points: options.perMinute, duration: options.windowSeconds ?? 60, keyPrefix: `${options.keyPrefix}:email-rate` };
  const redis = options.redisUrl
    ? new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false, retryStrategy: (n) => Math.min(n * 100, 2000) })
    : undefined;
  // An unreachable Redis logs through the client's error event; the insurance limiter keeps counting meanwhile.
  redis?.on('error', () => {});
  const limiter: RateLimiterAbstract = redis
    ? new RateLimiterRedis({ ...base, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(base) })
    : new RateLimiterMemory(base);
  return {
    async take(recipients) {
      const domains = [...new Set(recipients.map(domainOf))];
      let wait = 0;
      for (const domain of domains) {
        try {
          await limiter.consume(domain);
        } catch (rejection) {
          if (!(rejection instanceof RateLimiterRes)) throw rejection;
          wait = Math.max(wait, Math.max(1, rejection.msBeforeNext));
        }
      }
      return wait;
    },
    async close() {
      redis?.disconnect();
    },
  };
}

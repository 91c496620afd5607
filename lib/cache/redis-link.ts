import { Redis } from 'ioredis';
import { CircuitBreaker } from './circuit-breaker.ts';
import type { CacheCounters } from './metrics.ts';

/** How the cache reaches Redis: a URL (the cache owns its connections) or a client someone else owns. */
export type RedisSource = { url: string; client?: undefined } | { client: Redis; url?: undefined };

export interface RedisLinkOptions {
  source: RedisSource;
  prefix: string;
  commandTimeoutMs: number;
  failureThreshold: number;
  cooldownMs: number;
  counters: CacheCounters;
}

/**
 * The cache's connection to Redis, and the circuit breaker every call goes
 * through. Commands never queue while Redis is away (`enableOfflineQueue: false`,
 * one retry, a short command timeout): a failed call costs the caller nothing but
 * the L2 answer, and the client reconnects by itself in the background.
 */
export class RedisLink {
  readonly client: Redis;
  readonly breaker: CircuitBreaker;
  readonly prefix: string;
  private readonly owned: boolean;
  private readonly counters: CacheCounters;

  constructor(options: RedisLinkOptions) {
    this.prefix = options.prefix;
    this.counters = options.counters;
    this.owned = options.source.client === undefined;
    this.client =
      options.source.client ??
      new Redis(options.source.url!, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: options.commandTimeoutMs,
        connectTimeout: 2_000,
        // Reconnect quickly and forever: L2 must come back by itself after an outage.
        retryStrategy: (times) => Math.min(times * 100, 1_000),
      });
    // Without a listener an unreachable Redis would crash the process; the breaker accounts for failures.
    this.client.on('error', () => {});
    this.breaker = new CircuitBreaker(options.failureThreshold, options.cooldownMs);
  }

  /** Runs a Redis call through the breaker; `fallback` when Redis is away, counting the failure. */
  async guard<T, F>(call: (redis: Redis) => Promise<T>, fallback: F): Promise<T | F> {
    if (!this.breaker.allows()) return fallback;
    try {
      const result = await call(this.client);
      this.breaker.succeeded();
      return result;
    } catch {
      this.counters.l2.errors += 1;
      this.breaker.failed();
      return fallback;
    }
  }

  key(kind: 'e' | 'l', key: string): string {
    return `${this.prefix}:${kind}:${key}`;
  }

  /** Resolves once the command connection is up (or after `timeoutMs`, leaving the breaker to cope). */
  async ready(timeoutMs: number): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.client.on('ready', done);
    });
  }

  async close(): Promise<void> {
    if (this.owned) this.client.disconnect();
  }
}

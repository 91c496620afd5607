/**
 * Fair limits per caller: each policy is a budget of requests per window, kept
 * in Redis so every API process draws on the same budget (rate-limiter-flexible,
 * fixed windows counted atomically in Redis). A caller is its API key when it has
 * one, else its IP; every request also counts against its IP. Expensive routes
 * (uploads, batches, reports) have a budget of their own on top.
 *
 * Answers carry the IETF `RateLimit-Policy` and `RateLimit` fields
 * (draft-ietf-httpapi-ratelimit-headers), and a 429 problem with `Retry-After`.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { HttpProblem } from '../problem.ts';

export interface RateLimitPolicy {
  /** Its name in the headers (a token: letters, digits, `-`). */
  name: string;
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
  /** Who the budget belongs to: the API key (the IP when there is none), or the IP alone. */
  per: 'caller' | 'ip';
  /** Which requests it counts (default: all). */
  applies?: (req: Request) => boolean;
}

export interface RateLimitOptions {
  policies: RateLimitPolicy[];
  /** Shared budgets across processes; without it each process counts alone (embedded mode). */
  redis?: Redis;
  /** Prefix of the Redis keys (default `rl`). */
  keyPrefix?: string;
  /**
   * When Redis does not answer: `open` keeps limiting in this process's memory
   * (clients are served; a budget is per process until Redis is back), `closed`
   * answers 503 so no caller goes unlimited.
   */
  whenRedisDown?: 'open' | 'closed';
}

/** Uploads, batches, reports, emails, backups, restores, syncs and Schedule triggers: each one stores or sends something, or starts heavy work. */
export const isExpensiveRoute = (req: Request): boolean => {
  const path = req.baseUrl + req.path;
  // Starting work counts, watching it does not: polling a report's status is an ordinary read.
  return (
    req.method === 'POST' &&
    /^\/v1\/(documents(\/batch)?|erp\/imports|reports|analytics\/(forecast|anomalies)|emails|backups(\/[^/]+\/restore)?|knowledge-bases\/[^/]+\/sync|schedules\/[^/]+\/(trigger|backfill))\/?$/.test(path)
  );
};

/** The defaults: generous for reads, tight for expensive work. */
export const defaultPolicies = (limits: { perMinute?: number; expensivePerMinute?: number } = {}): RateLimitPolicy[] => [
  { name: 'caller', limit: limits.perMinute ?? 600, windowSeconds: 60, per: 'caller' },
  { name: 'ip', limit: (limits.perMinute ?? 600) * 2, windowSeconds: 60, per: 'ip' },
  { name: 'expensive', limit: limits.expensivePerMinute ?? 30, windowSeconds: 60, per: 'caller', applies: isExpensiveRoute },
];

const TOKEN = /^[A-Za-z0-9-]{1,32}$/;

function validate(options: RateLimitOptions): void {
  if (options.policies.length === 0) throw new Error('createRateLimit: policies must name at least one budget');
  for (const p of options.policies) {
    if (!TOKEN.test(p.name)) throw new Error(`createRateLimit: policies[].name "${p.name}" must be 1-32 letters, digits or -`);
    if (!Number.isInteger(p.limit) || p.limit < 1) throw new Error(`createRateLimit: policy ${p.name}: limit must be a positive integer`);
    if (!Number.isInteger(p.windowSeconds) || p.windowSeconds < 1) throw new Error(`createRateLimit: policy ${p.name}: windowSeconds must be a positive integer`);
  }
  if (options.whenRedisDown && !['open', 'closed'].includes(options.whenRedisDown)) throw new Error('createRateLimit: whenRedisDown must be "open" or "closed"');
}

function limiterOf(policy: RateLimitPolicy, options: RateLimitOptions): RateLimiterAbstract {
  const base = { points: policy.limit, duration: policy.windowSeconds, keyPrefix: `${options.keyPrefix ?? 'rl'}:${policy.name}` };
  if (!options.redis) return new RateLimiterMemory(base);
  return new RateLimiterRedis({
    ...base,
    storeClient: options.redis,
    // Fail at once when the client is not connected, instead of queueing behind a reconnect.
    rejectIfRedisNotReady: true,
    insuranceLimiter: options.whenRedisDown === 'closed' ? undefined : new RateLimiterMemory(base),
  });
}

interface Outcome {
  policy: RateLimitPolicy;
  remaining: number;
  resetSeconds: number;
  refused: boolean;
}

/** The caller of a request: its API key as authentication recorded it, else its address. */
const callerOf = (req: Request, res: Response, per: RateLimitPolicy['per']): string =>
  per === 'caller' && typeof res.locals.apiKeyId === 'string' ? `key:${res.locals.apiKeyId}` : `ip:${req.ip ?? 'unknown'}`;

/** The rate-limit middleware; mount it after authentication (it needs the API key) and before the routes. */
export function createRateLimit(options: RateLimitOptions): RequestHandler {
  validate(options);
  const limiters = options.policies.map((policy) => ({ policy, limiter: limiterOf(policy, options) }));
  return async (req, res, next) => {
    const applicable = limiters.filter(({ policy }) => policy.applies?.(req) ?? true);
    let outcomes: Outcome[];
    try {
      outcomes = await Promise.all(
        applicable.map(async ({ policy, limiter }): Promise<Outcome> => {
          try {
            const r = await limiter.consume(callerOf(req, res, policy.per));
            return { policy, remaining: r.remainingPoints, resetSeconds: Math.ceil(r.msBeforeNext / 1000), refused: false };
          } catch (rejection) {
            if (!(rejection instanceof RateLimiterRes)) throw rejection; // the store failed
            return { policy, remaining: 0, resetSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)), refused: true };
          }
        }),
      );
    } catch (error) {
      console.warn(`rate limit: store unavailable (${(error as Error).message ?? error}); refusing (whenRedisDown=closed)`);
      res.setHeader('Retry-After', '5');
      return next(new HttpProblem(503, 'Service unavailable', 'rate limits cannot be checked right now; retry shortly', { code: 'E_RATE_LIMIT_UNAVAILABLE' }));
    }
    res.setHeader('RateLimit-Policy', outcomes.map(({ policy: p }) => `"${p.name}";q=${p.limit};w=${p.windowSeconds}`).join(', '));
    res.setHeader('RateLimit', outcomes.map((o) => `"${o.policy.name}";r=${Math.max(0, o.remaining)};t=${o.resetSeconds}`).join(', '));
    const refused = outcomes.filter((o) => o.refused);
    if (refused.length === 0) return next();
    const wait = Math.max(...refused.map((o) => o.resetSeconds));
    res.setHeader('Retry-After', String(wait));
    next(
      new HttpProblem(429, 'Too many requests', `the "${refused[0]!.policy.name}" budget is spent; retry in ${wait} s`, { code: 'E_RATE_LIMITED' }),
    );
  };
}

import { AppError } from '../errors.ts';

/** A cache option is missing, malformed or contradicts another one; raised at construction. */
export class CacheOptionsError extends AppError {
  constructor(message: string) {
    super('E_CACHE_OPTIONS', message, { retryable: false });
  }
}

/**
 * A loader ran past its hard timeout. Retryable: the load keeps running in the
 * background and usually fills the cache for the next caller.
 */
export class CacheLoadTimeoutError extends AppError {
  constructor(key: string, timeoutMs: number) {
    super('E_CACHE_LOAD_TIMEOUT', `loading cache key "${key}" took longer than ${timeoutMs} ms`, { retryable: true });
  }
}

import { CacheLoadTimeoutError } from './errors.ts';

/** Waits for `promise` at most `ms` (0 = forever); then rejects with E_CACHE_LOAD_TIMEOUT. The promise itself runs on. */
export function withHardTimeout<T>(promise: Promise<T>, ms: number, key: string, onTimeout: () => void): Promise<T> {
  if (ms <= 0) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new CacheLoadTimeoutError(key, ms));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Waits for `promise` at most `ms`, then answers `fallback`. A rejection also
 * answers `fallback`: with a stale value at hand a failed refresh is not the
 * caller's problem (the failure is counted where the loader ran).
 */
export function orFallbackAfter<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise.catch(() => fallback), timeout]).finally(() => clearTimeout(timer));
}

/** Callers waiting for another process's load of a key: woken by its bus notice, or by their poll timer. */
export class KeyWaiters {
  private readonly waiting = new Map<string, Set<() => void>>();

  /** Resolves after `ms`, or earlier when `wake(key)` is called. */
  wait(key: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiting.get(key);
      if (!set) this.waiting.set(key, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && this.waiting.get(key) === set) this.waiting.delete(key);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });
  }

  wake(key: string): void {
    for (const done of [...(this.waiting.get(key) ?? [])]) done();
  }
}

import os from 'node:os';
import { Piscina } from 'piscina';
import { AppError } from '../../errors.ts';
import type { PrepareInput, PrepareOutcome, PreparedDocument } from './task.ts';

export interface PreparePool {
  /** Extracts and chunks on a pool thread; rejects with the task's AppError, or aborts with `signal`. */
  prepare(input: PrepareInput, signal?: AbortSignal): Promise<PreparedDocument>;
  close(): Promise<void>;
}

/**
 * A bounded pool of worker threads for parsing, chunking and segmentation, so the
 * worker's event loop stays free for heartbeats, database writes and polling.
 * Threads start with the pool (tsx and the parsers load once, not per document).
 */
export function createPreparePool(options: { threads?: number } = {}): PreparePool {
  const threads = options.threads ?? Math.max(1, Math.min(4, os.availableParallelism() - 1));
  const pool = new Piscina<PrepareInput, PrepareOutcome>({
    filename: new URL('./pool-entry.mjs', import.meta.url).href,
    minThreads: 1,
    maxThreads: threads,
    // Parsing a large PDF holds a thread for minutes; further documents wait their turn.
    idleTimeout: 60_000,
  });
  return {
    async prepare(input, signal) {
      const outcome = await pool.run(input, signal ? { signal } : {});
      if (outcome.ok) return outcome.document;
      throw new AppError(outcome.code, outcome.message, { retryable: outcome.retryable });
    },
    close: () => pool.close(),
  };
}

import { ApplicationFailure } from '@temporalio/common';
import { AppError } from '../lib/errors.ts';

type AsyncFunctions = Record<string, (...args: never[]) => Promise<unknown>>;

/**
 * Wraps activities so an AppError reaches the workflow as an ApplicationFailure
 * whose `type` is the E_* code and which skips retries when retrying cannot help.
 * Any other error stays retryable: it is a fault, not a verdict on the input.
 */
export function withFailureMapping<T extends AsyncFunctions>(activities: T): T {
  const wrapped: AsyncFunctions = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (error) {
        if (error instanceof AppError) {
          throw ApplicationFailure.create({
            type: error.code,
            message: error.message,
            nonRetryable: !error.retryable,
            cause: error.cause instanceof Error ? error.cause : undefined,
          });
        }
        throw error;
      }
    };
  }
  return wrapped as T;
}

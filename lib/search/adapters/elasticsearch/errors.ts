import { errors } from '@elastic/elasticsearch';
import { AppError } from '../../../errors.ts';
import { SearchUnavailableError } from '../../errors.ts';

/**
 * Elasticsearch refused a request as malformed (a 4xx other than 429): a bug in
 * the translation or a record the mapping cannot hold. Retrying cannot help.
 */
export class ElasticsearchRequestError extends AppError {
  readonly status: number;
  constructor(message: string, status: number, options: { cause?: unknown } = {}) {
    super('E_SEARCH_ENGINE_REQUEST', message, { ...options, retryable: false });
    this.status = status;
  }
}

/** Statuses that mean "the cluster cannot take this now": worth retrying later. */
export function isRetryableStatus(status: number | undefined): boolean {
  return status === 429 || (status !== undefined && status >= 500);
}

function statusOf(error: unknown): number | undefined {
  return error instanceof errors.ResponseError ? error.statusCode : undefined;
}

/** The type Elasticsearch gave a refused request (`index_not_found_exception`, …). */
export function errorTypeOf(error: unknown): string | undefined {
  if (!(error instanceof errors.ResponseError)) return undefined;
  const body = error.body as { error?: { type?: string } } | undefined;
  return body?.error?.type;
}

/**
 * The platform's error for an Elasticsearch failure: unreachable, timing out,
 * overloaded or failing (5xx, 429) → SearchUnavailableError (API 503, sync retries
 * later); anything else the cluster refused → ElasticsearchRequestError.
 */
export function toSearchError(error: unknown, what: string): Error {
  if (error instanceof AppError) return error;
  if (
    error instanceof errors.ConnectionError ||
    error instanceof errors.TimeoutError ||
    error instanceof errors.NoLivingConnectionsError ||
    error instanceof errors.RequestAbortedError ||
    error instanceof errors.ProductNotSupportedError ||
    error instanceof errors.DeserializationError
  ) {
    return new SearchUnavailableError(`Elasticsearch did not answer ${what}: ${error.message}`, { cause: error });
  }
  const status = statusOf(error);
  if (isRetryableStatus(status)) {
    return new SearchUnavailableError(`Elasticsearch failed ${what} (HTTP ${status})`, { cause: error });
  }
  if (status !== undefined) {
    const reason = reasonOf(error);
    return new ElasticsearchRequestError(`Elasticsearch refused ${what} (HTTP ${status}): ${reason}`, status, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

function reasonOf(error: unknown): string {
  if (!(error instanceof errors.ResponseError)) return '';
  type Cause = { type?: string; reason?: string; caused_by?: Cause };
  // The innermost cause says what was wrong ("failed to parse field …"); the outer ones only where.
  let cause = (error.body as { error?: Cause } | undefined)?.error;
  while (cause?.caused_by?.reason) cause = cause.caused_by;
  return cause ? [cause.type, cause.reason].filter(Boolean).join(': ') : error.message;
}

/** Runs one call to the cluster, translating its failure. */
export async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toSearchError(error, what);
  }
}

import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../lib/errors.ts';
import { AnalyticsInputError, AnalyticsLimitError } from '../lib/analytics/errors.ts';
import { SearchFieldError } from '../lib/search/errors.ts';

/** One invalid input: which field, and what is wrong with it. */
export interface FieldError {
  field: string;
  detail: string;
}

/**
 * An RFC 9457 problem: every 4xx/5xx this API sends is one, as
 * `application/problem+json`, with `errors` naming the offending fields.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: { code?: string; errors?: FieldError[]; position?: number; limit?: string } = {},
  ) {
    super(detail ?? title);
  }

  static invalid(errors: FieldError[]): HttpProblem {
    const detail = errors.map((e) => `${e.field}: ${e.detail}`).join('; ');
    return new HttpProblem(400, 'Invalid request', detail, { code: 'E_VALIDATION', errors });
  }
}

/** How each domain failure reads over HTTP. */
const statusOfCode: Record<string, number> = {
  E_DOCUMENT_NOT_FOUND: 404,
  E_KNOWLEDGE_BASE_NOT_FOUND: 404,
  E_KNOWLEDGE_BASE_EXISTS: 409,
  E_KNOWLEDGE_BASE_DELETING: 409,
  E_KNOWLEDGE_BASE_NOT_EMPTY: 409,
  E_DEFAULT_KNOWLEDGE_BASE: 409,
  E_INGESTION_RUNNING: 409,
  E_DOCUMENT_DELETING: 409,
  E_WORKFLOW_ENGINE_UNAVAILABLE: 503,
  E_DOCUMENT_TOO_LARGE: 413,
  E_UNSUPPORTED_TYPE: 415,
  E_EMPTY_DOCUMENT: 422,
  E_ENCRYPTED_PDF: 422,
  E_NO_TEXT: 422,
  E_DECOMPRESSION_BOMB: 422,
  E_CORRUPT_DOCUMENT: 422,
  E_QUERY_SYNTAX: 400,
  E_SEARCH_FIELD: 400,
  E_SEARCH_INDEX_NOT_FOUND: 404,
  E_SEARCH_QUERY_NOT_FOUND: 404,
  E_SEARCH_UNAVAILABLE: 503,
  E_ANALYTICS_INPUT: 400,
  E_QUERY_TIMEOUT: 422,
  E_QUERY_TOO_EXPENSIVE: 422,
};

const titleOfStatus: Record<number, string> = {
  400: 'Invalid request',
  404: 'Not found',
  409: 'Conflict',
  413: 'Content too large',
  415: 'Unsupported media type',
  422: 'Unprocessable document',
  503: 'Service unavailable',
};

export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof AppError && statusOfCode[error.code]) {
    const status = statusOfCode[error.code]!;
    // A search request naming a field the index lacks (or cannot use so) says which, like any invalid field.
    const errors = error instanceof SearchFieldError || error instanceof AnalyticsInputError ? [{ field: error.field, detail: error.message }] : undefined;
    const position = (error as { position?: unknown }).position;
    // A query stopped by a limit names it (`cost`, `statement_timeout`, `cells`), so the caller knows what to narrow.
    const limit = error instanceof AnalyticsLimitError ? error.limit : undefined;
    return new HttpProblem(status, limit ? 'Query over a limit' : (titleOfStatus[status] ?? 'Error'), error.message, {
      code: error.code,
      ...(errors ? { errors } : {}),
      ...(typeof position === 'number' ? { position } : {}),
      ...(limit ? { limit } : {}),
    });
  }
  // body-parser and friends mark client errors with a status; keep theirs, hide internals.
  const status = (error as { status?: number }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpProblem(status, titleOfStatus[status] ?? 'Bad request', (error as Error).message);
  }
  return new HttpProblem(500, 'Internal error', 'the server failed to handle this request; it has been logged');
}

/** Seconds a client waits before searching again when the engine is unavailable. */
export const SEARCH_RETRY_AFTER_SECONDS = 5;

export const problemHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const problem = toProblem(error);
  if (problem.status >= 500) console.error(`${req.method} ${req.originalUrl} failed:`, error);
  if (res.headersSent) return res.end();
  // The search engine is down or slow: worth retrying soon (index writes queue meanwhile).
  if (problem.extra.code === 'E_SEARCH_UNAVAILABLE') res.setHeader('Retry-After', String(SEARCH_RETRY_AFTER_SECONDS));
  res
    .status(problem.status)
    .type('application/problem+json')
    .json({
      type: 'about:blank',
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      instance: req.originalUrl,
      ...problem.extra,
    });
};

export const notFoundHandler: RequestHandler = (req, _res, next) =>
  next(new HttpProblem(404, 'Not found', `no route for ${req.method} ${req.path}`));

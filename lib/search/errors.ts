import { AppError } from '../errors.ts';

/** The query text does not parse; `position` is the 0-based character offset of the problem. */
export class QuerySyntaxError extends AppError {
  readonly position: number;
  constructor(message: string, position: number) {
    super('E_QUERY_SYNTAX', `${message} at position ${position}`);
    this.position = position;
  }
}

/** The search engine cannot answer now (Elasticsearch down, timing out); the API answers 503 with Retry-After. */
export class SearchUnavailableError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('E_SEARCH_UNAVAILABLE', message, { ...options, retryable: true });
  }
}

/** A request names a field the index does not have, or uses it in a way the field does not allow. */
export class SearchFieldError extends AppError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('E_SEARCH_FIELD', message);
    this.field = field;
  }
}

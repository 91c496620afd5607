import { AppError } from '../errors.ts';

/**
 * A request names something the catalog does not have, or uses it in a way it
 * does not allow (an unknown field, an aggregation a text field cannot take, a
 * value of the wrong type, too many dimensions). `field` is the request path,
 * e.g. `measures.0.agg` or `filters.2.value`; the API answers 400 naming it.
 */
export class AnalyticsInputError extends AppError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('E_ANALYTICS_INPUT', message);
    this.field = field;
  }
}

/**
 * A query was refused or stopped by a limit: `cost` (its EXPLAIN estimate is over
 * ANALYTICS_MAX_COST) or `statement_timeout` (it ran longer than
 * ANALYTICS_STATEMENT_TIMEOUT_MS). The API answers 422 naming `limit`.
 */
export class AnalyticsLimitError extends AppError {
  readonly limit: 'cost' | 'statement_timeout' | 'cells';
  constructor(limit: AnalyticsLimitError['limit'], message: string) {
    super(limit === 'statement_timeout' ? 'E_QUERY_TIMEOUT' : 'E_QUERY_TOO_EXPENSIVE', message);
    this.limit = limit;
  }
}

import { AppError } from '../../errors.ts';

/**
 * No such index for this caller: an unknown name, or an ERP index asked for by a
 * tenant other than the default one (the ERP is the deployment's own company's;
 * to others it does not exist, so the answer is the same 404 either way).
 */
export class SearchIndexNotFoundError extends AppError {
  constructor(index: string) {
    super('E_SEARCH_INDEX_NOT_FOUND', `there is no search index "${index}"`);
  }
}

/** A click names a search this tenant did not make (or one pruned from the log). */
export class SearchQueryNotFoundError extends AppError {
  constructor(queryId: string) {
    super('E_SEARCH_QUERY_NOT_FOUND', `no search ${queryId} in the query log`);
  }
}

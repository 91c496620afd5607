/** The operator's search rebuild in the OpenAPI document. */
import { searchRebuildRequest, searchRebuildView } from '../routes/admin.ts';
import { json, jsonBody, problem, responses, schemaOf } from './parts.ts';

export const searchSyncPaths = {
  '/v1/admin/search/rebuild': {
    post: {
      summary:
        'Rebuild a search index from scratch (operator only: `tenants` scope). Runs in the search-sync workflow; searches keep ' +
        'answering from the old index until the new one is swapped in',
      requestBody: jsonBody(schemaOf(searchRebuildRequest, 'input')),
      responses: responses({
        '202': { description: 'Rebuild requested (joins the running sync)', ...json(searchRebuildView) },
        '400': problem('Unknown index, or an unknown field'),
        '413': problem('Body over 16 KiB'),
        '415': problem('Not UTF-8 JSON'),
      }),
    },
  },
};

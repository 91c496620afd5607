import type { Config } from '../config.ts';
import type { Database } from '../db/index.ts';
import type { SearchEngine } from './port.ts';

export type * from './port.ts';
export { INDEXES, INDEX_NAMES, SEARCH_LIMITS, type IndexName } from './indexes.ts';

/** The engine the config names; Elasticsearch's client is loaded only when it is the one. */
export async function createSearchEngine(config: Config, db: Database, dimension: number): Promise<SearchEngine> {
  if (config.SEARCH_ENGINE === 'elasticsearch') {
    const { createElasticsearchEngine } = await import('./adapters/elasticsearch/index.ts');
    return createElasticsearchEngine({
      url: config.ELASTICSEARCH_URL!,
      prefix: config.SEARCH_INDEX_PREFIX,
      dimension,
      timeoutMs: config.SEARCH_TIMEOUT_MS,
    });
  }
  const { createPostgresSearchEngine } = await import('./adapters/postgres/index.ts');
  return createPostgresSearchEngine({ db, dimension, timeoutMs: config.SEARCH_TIMEOUT_MS });
}

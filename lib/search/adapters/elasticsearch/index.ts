// PLACEHOLDER: replaced by the Elasticsearch adapter (issue 7 work in progress).
import type { SearchEngine } from '../../port.ts';

export function createElasticsearchEngine(_options: { url: string; prefix: string; dimension: number; timeoutMs: number }): SearchEngine {
  throw new Error('not built yet');
}

/**
 * The search contract on a real Elasticsearch (`services.sh up elasticsearch`,
 * ELASTICSEARCH_URL), under an index prefix of its own, deleted afterwards.
 */
import { after } from 'node:test';
import { randomUUID } from 'node:crypto';
import { createElasticsearchEngine } from '../../../lib/search/adapters/elasticsearch/index.ts';
import { closeCorpusEmbedder, corpusEmbedder } from '../../fixtures/search/records.ts';
import { ELASTICSEARCH_URL } from '../../helpers/elasticsearch-gate.ts';
import { dropElasticsearchPrefix } from '../../helpers/search-targets.ts';
import { searchEngineContract } from './contract.ts';

after(() => closeCorpusEmbedder());

searchEngineContract('elasticsearch', async () => {
  const prefix = `contract-${randomUUID().slice(0, 8)}`;
  const engine = createElasticsearchEngine({ url: ELASTICSEARCH_URL, prefix, dimension: (await corpusEmbedder()).dimension, timeoutMs: 10_000 });
  return {
    engine,
    stop: () => dropElasticsearchPrefix(prefix),
  };
});

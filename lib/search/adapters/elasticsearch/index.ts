/**
 * The Elasticsearch adapter of the search port (Elasticsearch 8 or 9, core modules
 * only: no analysis plugins, no scripts). Layout:
 *   mappings.ts  templates, mappings, alias and index names
 *   sources.ts   records as Elasticsearch documents
 *   query.ts     Clause, filters and sort as query DSL
 *   facets.ts    terms / date_histogram / stats aggregations
 *   bulk.ts      bulk writes with bounded concurrency and retries
 *   lifecycle.ts templates, aliases, rebuild with an alias swap
 *   search.ts    lexical and nearest searches
 * Every failure to reach or hear from the cluster is a SearchUnavailableError.
 */
import { Client } from '@elastic/elasticsearch';
import { SearchUnavailableError } from '../../errors.ts';
import { INDEX_NAMES, type IndexName } from '../../indexes.ts';
import type { SearchEngine } from '../../port.ts';
import { createBulkWriter, DEFAULT_BULK, type BulkOptions } from './bulk.ts';
import { call, errorTypeOf } from './errors.ts';
import { createLifecycle } from './lifecycle.ts';
import { aliasName } from './mappings.ts';
import { lexical, nearest } from './search.ts';
import { toSource } from './sources.ts';

export interface ElasticsearchEngineOptions {
  /** e.g. http://127.0.0.1:9200 */
  url: string;
  /** Of every template, alias and index name, so deployments and test suites sharing a cluster never meet. */
  prefix: string;
  /** Of the document vectors (the embedder's). */
  dimension: number;
  /** Time a search or health probe may take before it is SearchUnavailableError. */
  timeoutMs: number;
  /** Bulk tuning; tests lower the backoff. */
  bulk?: Partial<BulkOptions>;
}

export function createElasticsearchEngine(options: ElasticsearchEngineOptions): SearchEngine {
  if (!/^[a-z0-9][a-z0-9_-]{0,40}$/.test(options.prefix)) {
    throw new Error(`invalid Elasticsearch index prefix ${JSON.stringify(options.prefix)}: lower-case letters, digits, _ and -`);
  }
  if (!Number.isInteger(options.dimension) || options.dimension < 1 || options.dimension > 4096) {
    throw new Error(`invalid vector dimension ${options.dimension}: 1 to 4096`);
  }
  const { prefix, dimension } = options;
  // No client retries: a search that fails answers 503 at once; writes retry in bulk.ts, then in the sync workflow.
  // The client's timeout is the longest any call gets (undici fixes it per connection;
  // a per-request timeout can only be shorter): searches and probes pass their own.
  const bulk = { ...DEFAULT_BULK, ...options.bulk };
  const client = new Client({ node: options.url, requestTimeout: Math.max(bulk.requestTimeoutMs, options.timeoutMs), maxRetries: 0 });
  const writer = createBulkWriter(client, bulk);
  const lifecycle = createLifecycle(client, writer, prefix, dimension, options.timeoutMs);
  const searchTimeout = { requestTimeout: options.timeoutMs };

  // Each index's template and alias are made once per process, when first used (a
  // test touching one index creates one); a failure (cluster down) is tried again next call.
  const ready = new Map<IndexName, Promise<void>>();
  const ensureIndex = (index: IndexName, quick: boolean) => {
    let made = ready.get(index);
    if (!made) {
      made = lifecycle.ensureIndex(index, quick).catch((error: unknown) => {
        ready.delete(index);
        throw error;
      });
      ready.set(index, made);
    }
    return made;
  };

  /**
   * Runs `work` once `index` is ready; if the cluster lost our alias (wiped,
   * restarted empty), makes it again and retries once. Searches (`quick`) never
   * wait on the cluster longer than their own timeout.
   */
  async function withIndex<T>(index: IndexName, work: () => Promise<T>, quick = false): Promise<T> {
    await ensureIndex(index, quick);
    try {
      return await work();
    } catch (error) {
      const type = errorTypeOf(error instanceof Error ? error.cause : undefined);
      if (type !== 'index_not_found_exception' && !isMissingAlias(error)) throw error;
      ready.delete(index);
      await ensureIndex(index, quick);
      return work();
    }
  }

  function assertIndex(index: string): asserts index is IndexName {
    if (!(INDEX_NAMES as readonly string[]).includes(index)) throw new Error(`unknown search index ${index}`);
  }

  return {
    kind: 'elasticsearch',
    async ensureReady() {
      await Promise.all(INDEX_NAMES.map((index) => ensureIndex(index, false)));
    },

    async upsert(index, records) {
      assertIndex(index);
      if (records.length === 0) return;
      const ops = records.map((record) => ({ kind: 'index' as const, id: record.id, source: toSource(index, record) }));
      // wait_for: when this resolves, the records are searchable.
      await withIndex(index, () => writer.write(aliasName(prefix, index), ops, 'wait_for'));
    },

    async remove(index, ids) {
      assertIndex(index);
      if (ids.length === 0) return;
      const ops = ids.map((id) => ({ kind: 'delete' as const, id }));
      await withIndex(index, () => writer.write(aliasName(prefix, index), ops, 'wait_for'));
    },

    async rebuild(index, batches) {
      assertIndex(index);
      return lifecycle.rebuild(index, batches);
    },

    async lexical(request) {
      assertIndex(request.index);
      return withIndex(request.index, () => lexical(client, prefix, request, searchTimeout), true);
    },

    async nearest(request) {
      if (request.vector.length !== dimension) {
        throw new Error(`query vector has ${request.vector.length} dimensions, the index ${dimension}`);
      }
      return withIndex('documents', () => nearest(client, prefix, request, searchTimeout), true);
    },

    async health() {
      const health = await call('a health probe', () => client.cluster.health({ timeout: `${options.timeoutMs}ms` }, searchTimeout));
      if (health.status === 'red') throw new SearchUnavailableError(`Elasticsearch cluster ${health.cluster_name} is red`);
    },

    close: () => client.close(),
  };
}

/** A bulk write with require_alias to an alias that is gone. */
function isMissingAlias(error: unknown): boolean {
  return error instanceof Error && /index_not_found_exception|require_alias/i.test(error.message);
}

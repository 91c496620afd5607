/**
 * The engines search is measured on, each with a fresh database: PostgreSQL's own
 * search on PGlite and on the real server, and Elasticsearch (its vocabulary and
 * query log in a PGlite database, as the platform keeps them in PostgreSQL whatever
 * the engine) under an index prefix of its own, deleted on close.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import type { Database } from '../../lib/db/index.ts';
import { createElasticsearchEngine } from '../../lib/search/adapters/elasticsearch/index.ts';
import { createPostgresSearchEngine } from '../../lib/search/adapters/postgres/index.ts';
import type { SearchEngine } from '../../lib/search/port.ts';
import { corpusEmbedder } from '../fixtures/search/records.ts';
import { ELASTICSEARCH_URL } from './elasticsearch-gate.ts';
import { openTestDatabase, type Engine } from './platform.ts';

export interface OpenedEngine {
  db: Database;
  engine: SearchEngine;
  close(): Promise<void>;
}

export interface SearchTarget {
  name: string;
  open(): Promise<OpenedEngine>;
}

const dimension = async () => (await corpusEmbedder()).dimension;

/** Deletes every index and template under `prefix` (wildcard deletes are refused: by name). */
export async function dropElasticsearchPrefix(prefix: string): Promise<void> {
  const admin = new Client({ node: ELASTICSEARCH_URL });
  try {
    const indexes = Object.keys(await admin.indices.get({ index: `${prefix}-*`, expand_wildcards: 'all' }).catch(() => ({})));
    if (indexes.length > 0) await admin.indices.delete({ index: indexes });
    for (const index of ['documents', 'customers', 'orders']) await admin.indices.deleteIndexTemplate({ name: `${prefix}-${index}` }).catch(() => {});
  } finally {
    await admin.close();
  }
}

export const postgresTarget = (database: Engine): SearchTarget => ({
  name: `postgres (${database})`,
  async open() {
    const { db, close } = await openTestDatabase(database);
    const engine = createPostgresSearchEngine({ db, dimension: await dimension(), timeoutMs: 30_000 });
    return {
      db,
      engine,
      async close() {
        await engine.close();
        await close();
      },
    };
  },
});

export const elasticsearchTarget: SearchTarget = {
  name: 'elasticsearch',
  async open() {
    const { db, close } = await openTestDatabase('pglite');
    const prefix = `rel-${randomUUID().slice(0, 8)}`;
    const engine = createElasticsearchEngine({ url: ELASTICSEARCH_URL, prefix, dimension: await dimension(), timeoutMs: 30_000 });
    return {
      db,
      engine,
      async close() {
        await engine.close();
        await dropElasticsearchPrefix(prefix);
        await close();
      },
    };
  },
};

/** PGlite always; the PostgreSQL server when TEST_DATABASE_URL names one; Elasticsearch. */
export function searchTargets(): SearchTarget[] {
  return [postgresTarget('pglite'), ...(process.env.TEST_DATABASE_URL ? [postgresTarget('postgres')] : []), elasticsearchTarget];
}

/**
 * The PostgreSQL adapter of the search port: the embedded default, on PGlite and
 * on PostgreSQL 15. It searches the platform's own database: documents' chunks
 * (words written at ingestion, vectors for `nearest`) and side tables holding what
 * the sync workflow upserted (migration 007). Layout:
 *   sql.ts      bound parameters, the table layout, catalog checks, typed values
 *   clause.ts   Clause → SQL condition and ranking terms (tsqueries over bound words)
 *   scoring.ts  ts_rank_cd with field boosts, best chunk, recency
 *   filters.ts  filters, field sorts, keyset `after`
 *   facets.ts   total, terms, date histograms and stats in one pass
 *   lexical.ts  the page of hits
 *   hits.ts     hit fields and document snippets
 *   nearest.ts  pgvector HNSW, one hit per document
 *   write.ts    upsert, remove, rebuild
 * Every search runs in a transaction with `statement_timeout` set from `timeoutMs`;
 * a search that times out, or a database that cannot be reached, is SearchUnavailableError.
 */
import type { Database, Queryable } from '../../../db/index.ts';
import { SearchUnavailableError } from '../../errors.ts';
import { INDEX_NAMES, type IndexName } from '../../indexes.ts';
import type { SearchEngine } from '../../port.ts';
import { lexicalSearch } from './lexical.ts';
import { nearestDocuments } from './nearest.ts';
import { rebuildRecords, removeRecords, upsertRecords } from './write.ts';

export interface PostgresSearchEngineOptions {
  db: Database;
  /** Of the chunk vectors (the embedder's); `nearest` casts to it so the HNSW index applies. */
  dimension: number;
  /** Longest a search may run (statement_timeout). */
  timeoutMs: number;
}

/** SQLSTATEs meaning "cannot answer now": canceled (our timeout), admin shutdown, cannot connect, too many connections. */
const UNAVAILABLE = new Set(['57014', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08006']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

function unavailable(error: unknown, what: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (UNAVAILABLE.has(code) || NETWORK.has(code))) {
    return new SearchUnavailableError(code === '57014' ? `${what} took longer than allowed` : `${what} failed: the database cannot answer`, { cause: error });
  }
  if (error instanceof Error && /Connection terminated|connection timeout|Client has encountered a connection error/i.test(error.message)) {
    return new SearchUnavailableError(`${what} failed: the database cannot answer`, { cause: error });
  }
  return error;
}

export function createPostgresSearchEngine(options: PostgresSearchEngineOptions): SearchEngine {
  const { db } = options;
  if (!Number.isInteger(options.dimension) || options.dimension < 1 || options.dimension > 16_000) {
    throw new Error(`invalid vector dimension ${options.dimension}: 1 to 16000`);
  }
  const timeout = String(Math.max(1, Math.floor(options.timeoutMs)));

  function assertIndex(index: string): asserts index is IndexName {
    if (!(INDEX_NAMES as readonly string[]).includes(index)) throw new Error(`unknown search index ${index}`);
  }

  /** A search in its own transaction: bounded in time, in UTC (histograms, dates). */
  async function searching<T>(what: string, work: (tx: Queryable) => Promise<T>): Promise<T> {
    try {
      return await db.transaction(async (tx) => {
        await tx.query(`select set_config('statement_timeout', $1, true), set_config('TimeZone', 'UTC', true)`, [timeout]);
        return work(tx);
      });
    } catch (error) {
      throw unavailable(error, what);
    }
  }

  async function writing<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw unavailable(error, what);
    }
  }

  return {
    kind: 'postgres',
    // The side tables are migration 007's: created with the database.
    ensureReady: async () => {},
    async upsert(index, records) {
      assertIndex(index);
      if (records.length > 0) await writing(`indexing ${index}`, () => upsertRecords(db, index, records));
    },
    async remove(index, ids) {
      assertIndex(index);
      await writing(`removing from ${index}`, () => removeRecords(db, index, ids));
    },
    async rebuild(index, batches) {
      assertIndex(index);
      return writing(`rebuilding ${index}`, () => rebuildRecords(db, index, batches));
    },
    async lexical(request) {
      assertIndex(request.index);
      return searching(`a search of ${request.index}`, (tx) => lexicalSearch(tx, request));
    },
    async nearest(request) {
      if (request.index !== 'documents') throw new Error(`${String(request.index)} has no vectors`);
      return searching('a nearest search of documents', (tx) => nearestDocuments(tx, request, options.dimension));
    },
    health: async () => {
      await searching('a health probe', (tx) => tx.query('select 1'));
    },
    // The database is the platform's; it closes it.
    close: async () => {},
  };
}

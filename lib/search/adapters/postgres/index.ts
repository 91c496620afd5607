// PLACEHOLDER: replaced by the PostgreSQL adapter (issue 7 work in progress).
import type { Database } from '../../../db/index.ts';
import type { SearchEngine } from '../../port.ts';

export function createPostgresSearchEngine(_options: { db: Database; dimension: number; timeoutMs: number }): SearchEngine {
  const notYet = () => Promise.reject(new Error('not built yet'));
  return {
    kind: 'postgres',
    ensureReady: async () => {},
    upsert: notYet,
    remove: notYet,
    rebuild: notYet,
    lexical: notYet,
    nearest: notYet,
    health: async () => {},
    close: async () => {},
  };
}

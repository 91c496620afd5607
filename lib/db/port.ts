/**
 * The database port: PostgreSQL SQL with `$1` parameters, nothing else.
 * Adapters: `adapters/pglite.ts` (embedded, in-process) and `adapters/postgres.ts`
 * (a `pg` pool). Both run the same migrations and pass the same contract suite.
 */
export interface Queryable {
  /** Runs one statement with bound parameters; never build SQL from input. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: Row[] }>;
}

export interface Database extends Queryable {
  /** Which engine this is, for health output. */
  readonly engine: 'pglite' | 'postgres';
  /** Runs `work` in one transaction; it commits when `work` resolves and rolls back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Closes connections (and flushes the embedded database to disk). */
  close(): Promise<void>;
}

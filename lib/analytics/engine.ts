/**
 * The analytics engine over the ERP tables: compile (compile.ts), ask the planner
 * what the statement would cost, refuse it over the ceiling, else run it in a
 * read-only transaction under statement_timeout. Both limits answer 422 naming
 * themselves; a stopped query rolls back and leaves the pool serving.
 */
import type { Database, Queryable } from '../db/index.ts';
import { compileQuery, compileRows, type CompiledQuery } from './compile.ts';
import { decoded } from './compile-terms.ts';
import { AnalyticsLimitError } from './errors.ts';
import type { AnalyticsEngine, RowsPage, RowsRequest } from './port.ts';
import type { AnalyticsQuery, QueryResult, Row } from './types.ts';

export interface AnalyticsEngineOptions {
  /** Longest a statement may run, in ms (PostgreSQL's statement_timeout; PGlite does not enforce it). */
  statementTimeoutMs: number;
  /** Highest EXPLAIN total cost a statement may have. */
  maxCost: number;
  /** IANA time zone the grains and whole-day filters are cut in. */
  timeZone: string;
}

/** PostgreSQL's SQLSTATE for a statement stopped by statement_timeout (or a cancel). */
const QUERY_CANCELED = '57014';

/** EXPLAIN (FORMAT JSON)'s estimate; pg and PGlite give the json column parsed, older setups as text. */
function totalCost(rows: Record<string, unknown>[]): number {
  const plan = Object.values(rows[0] ?? {})[0];
  const parsed = (typeof plan === 'string' ? JSON.parse(plan) : plan) as { Plan: { 'Total Cost': number } }[];
  return parsed[0]!.Plan['Total Cost'];
}

export function createAnalyticsEngine(db: Database, options: AnalyticsEngineOptions): AnalyticsEngine {
  const { statementTimeoutMs, maxCost, timeZone } = options;

  /** Runs a compiled statement under both limits; the rows come back as printed (see compile-terms.ts). */
  async function run(compiled: CompiledQuery): Promise<{ rows: Record<string, unknown>[]; ms: number }> {
    try {
      return await db.transaction(async (tx: Queryable) => {
        // Read only: nothing a query compiles to may write, whatever went wrong upstream.
        await tx.query('set transaction read only');
        await tx.query(`select set_config('statement_timeout', $1, true)`, [String(statementTimeoutMs)]);
        const cost = totalCost((await tx.query(`explain (format json) ${compiled.sql}`, compiled.params)).rows);
        if (cost > maxCost) {
          throw new AnalyticsLimitError('cost', `the query's estimated cost ${Math.round(cost)} is over the ceiling ${maxCost}: add filters or fewer dimensions`);
        }
        const started = performance.now();
        const { rows } = await tx.query(compiled.sql, compiled.params);
        return { rows, ms: Math.round((performance.now() - started) * 10) / 10 };
      });
    } catch (error) {
      if ((error as { code?: unknown }).code === QUERY_CANCELED) {
        throw new AnalyticsLimitError('statement_timeout', `the query ran longer than ${statementTimeoutMs} ms and was stopped: narrow it with filters`);
      }
      throw error;
    }
  }

  const rowOf = (compiled: CompiledQuery, raw: Record<string, unknown>): Row =>
    Object.fromEntries(compiled.columns.map((c, i) => [c.name, decoded(raw[`c${i}`], c.type)]));

  return {
    check(query: AnalyticsQuery): void {
      compileQuery(query, timeZone);
    },

    async query(query: AnalyticsQuery): Promise<QueryResult> {
      const compiled = compileQuery(query, timeZone);
      const { rows, ms } = await run(compiled);
      return {
        columns: compiled.columns,
        rows: rows.slice(0, compiled.limit).map((raw) => rowOf(compiled, raw)),
        truncated: rows.length > compiled.limit,
        sql_ms: ms,
      };
    },

    async rows(request: RowsRequest): Promise<RowsPage> {
      const compiled = compileRows(request, timeZone);
      const { rows, ms } = await run(compiled);
      const page = rows.slice(0, compiled.limit);
      const more = rows.length > compiled.limit;
      return {
        columns: compiled.columns,
        rows: page.map((raw) => rowOf(compiled, raw)),
        next: more ? String(page.at(-1)![compiled.keyColumn]) : null,
        sql_ms: ms,
      };
    },
  };
}

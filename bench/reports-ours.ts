/**
 * Our side of bench/reports, loaded when present: the analytics engine and pivot
 * (lib/analytics) and the xlsx table writer (lib/reports/exports). They are
 * imported by computed path so the bench still runs (peers only, saying what is
 * missing) while a piece is not there yet; the signatures are the plan's.
 */
import { existsSync } from 'node:fs';
import type { Database } from '../lib/db/index.ts';
import type { AnalyticsEngine } from '../lib/analytics/port.ts';
import type { Column, PivotRequest, PivotResult, Row } from '../lib/analytics/types.ts';

export type CreateAnalyticsEngine = (db: Database, options: { statementTimeoutMs: number; maxCost: number; timeZone: string }) => AnalyticsEngine;
export type PivotQuery = (engine: AnalyticsEngine, request: PivotRequest) => Promise<PivotResult>;
export type WriteXlsxTable = (columns: Column[], rows: Iterable<Row> | AsyncIterable<Row>, out: NodeJS.WritableStream, options?: Record<string, unknown>) => Promise<void>;

const root = new URL('../', import.meta.url);

async function load<T>(path: string, name: string): Promise<T | null> {
  const url = new URL(path, root);
  if (!existsSync(url)) return null;
  const module = (await import(url.href)) as Record<string, unknown>;
  return typeof module[name] === 'function' ? (module[name] as T) : null;
}

export async function loadOurPivot(): Promise<{ createAnalyticsEngine: CreateAnalyticsEngine; pivotQuery: PivotQuery } | string> {
  const createAnalyticsEngine = await load<CreateAnalyticsEngine>('lib/analytics/engine.ts', 'createAnalyticsEngine');
  const pivotQuery = await load<PivotQuery>('lib/analytics/pivot.ts', 'pivotQuery');
  if (!createAnalyticsEngine) return 'lib/analytics/engine.ts (createAnalyticsEngine) is missing';
  if (!pivotQuery) return 'lib/analytics/pivot.ts (pivotQuery) is missing';
  return { createAnalyticsEngine, pivotQuery };
}

export async function loadOurXlsx(): Promise<WriteXlsxTable | string> {
  for (const path of ['lib/reports/exports/index.ts', 'lib/reports/exports/xlsx.ts']) {
    const writeXlsxTable = await load<WriteXlsxTable>(path, 'writeXlsxTable');
    if (writeXlsxTable) return writeXlsxTable;
  }
  return 'lib/reports/exports (writeXlsxTable) is missing';
}

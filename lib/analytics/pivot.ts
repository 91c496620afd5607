/**
 * Pivots: the groups of a query laid out as row fields × column fields, with a
 * subtotal after each group of every outer row field, a grand total, a total
 * column, and shares on request.
 *
 * The aggregation is the database's, at every level the table shows: for row
 * fields r1…rk and column fields C, the engine answers (r1…rd) × C and (r1…rd)
 * for each d = 0…k, all at once. Subtotals and totals are never sums of cells,
 * so they are exact for every aggregation, avg and count_distinct included;
 * arquero then orders and places them (pivot-layout.ts). Only when every
 * measure is a sum or a count are the coarser levels added up from the finest
 * (pivot-rollup.ts), exactly, saving the database a scan per level.
 */
import { AnalyticsLimitError } from './errors.ts';
import { checkPivot } from './pivot-check.ts';
import { layoutPivot, type PivotLevel, type PivotShape } from './pivot-layout.ts';
import { canRollUp, rollUp } from './pivot-rollup.ts';
import type { AnalyticsEngine } from './port.ts';
import { ANALYTICS_LIMITS, type Measure, type PivotRequest, type PivotResult } from './types.ts';

/** A measure's column: `as`, or `<agg>_<field>` (the engine's rule). */
export const measureName = (m: Measure): string => m.as ?? `${m.agg}_${m.field}`;

/** The levels to ask the database for: every row-field prefix, without and (when there are any) with the column fields. */
export function pivotLevels(request: PivotRequest): { depth: number; byColumns: boolean }[] {
  const levels: { depth: number; byColumns: boolean }[] = [];
  for (let depth = 0; depth <= request.rows.length; depth++) {
    levels.push({ depth, byColumns: false });
    if (request.columns.length > 0) levels.push({ depth, byColumns: true });
  }
  return levels;
}

/**
 * Refuses a pivot over `maxPivotCells` (detail row groups × column groups ×
 * measures), and one whose levels the engine cut at its row limit (`truncated`:
 * more groups than a query may return), before anything is laid out.
 */
function checkCells(request: PivotRequest, levels: readonly PivotLevel[]): void {
  const cut = levels.find((l) => l.result.truncated);
  if (cut) {
    throw new AnalyticsLimitError('cells', `more than ${ANALYTICS_LIMITS.maxLimit} groups at one level of the pivot: add filters, or fewer or coarser fields`);
  }
  const rowGroups = levels.find((l) => l.depth === request.rows.length && !l.byColumns)?.result.rows.length ?? 0;
  const columnGroups = request.columns.length > 0 ? (levels.find((l) => l.depth === 0 && l.byColumns)?.result.rows.length ?? 0) : 1;
  const cells = rowGroups * columnGroups * request.measures.length;
  if (cells > ANALYTICS_LIMITS.maxPivotCells) {
    throw new AnalyticsLimitError(
      'cells',
      `the pivot would have ${rowGroups} row groups × ${columnGroups} column groups × ${request.measures.length} measures = ${cells} cells, ` +
        `over the limit of ${ANALYTICS_LIMITS.maxPivotCells}: add filters, or fewer or coarser fields`,
    );
  }
}

/**
 * The pivot of `request`. Bad names are a 400 naming the pivot's field
 * (`rows.0`, `columns.1`, `measures.0.agg`, `filters.2.value`); too many cells
 * a 422 naming the limit `cells`. `filters` apply at every level: they are the
 * view's own filters and, in a report, the report's linked filters.
 */
export async function pivotQuery(engine: AnalyticsEngine, request: PivotRequest): Promise<PivotResult> {
  checkPivot(engine, request);
  const shape: PivotShape = {
    rows: request.rows,
    columns: request.columns,
    measures: request.measures.map((m) => ({ name: measureName(m), agg: m.agg })),
    shares: request.shares ?? [],
  };
  // The engine's largest answer: a level with more groups comes back truncated, and the pivot is refused (checkCells).
  const ask = async (depth: number, byColumns: boolean): Promise<PivotLevel> => ({
    depth,
    byColumns,
    result: await engine.query({
      source: request.source,
      dimensions: [...request.rows.slice(0, depth), ...(byColumns ? request.columns : [])],
      measures: request.measures,
      filters: request.filters,
      sort: [],
      limit: ANALYTICS_LIMITS.maxLimit,
    }),
  });
  const wanted = pivotLevels(request);
  let levels: PivotLevel[];
  if (canRollUp(shape)) {
    // Sums and counts: one query at the finest level, the rest added up from it (pivot-rollup.ts).
    const finest = await ask(request.rows.length, request.columns.length > 0);
    levels = wanted.map(({ depth, byColumns }) =>
      depth === finest.depth && byColumns === finest.byColumns ? finest : rollUp(shape, finest, depth, byColumns),
    );
  } else {
    // Anything else is not additive: the database aggregates each level itself, all levels at once.
    levels = await Promise.all(wanted.map(({ depth, byColumns }) => ask(depth, byColumns)));
  }
  checkCells(request, levels);
  return layoutPivot(shape, levels);
}

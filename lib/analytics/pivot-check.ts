/**
 * Checks a pivot request against the catalog before anything runs, with errors
 * naming the pivot's own fields (`rows.1`, `columns.0`), not those of the
 * queries it turns into: the engine checks the query of all row and column
 * fields together, and its `dimensions.N` is mapped back to where the name was.
 */
import { datasetOf, fieldOf, isGrain } from './catalog.ts';
import { AnalyticsInputError } from './errors.ts';
import type { AnalyticsEngine } from './port.ts';
import { ANALYTICS_LIMITS, type AnalyticsQuery, type PivotRequest } from './types.ts';

/** Aggregations whose value is a number whatever the field (a pivot's cells are numbers). */
const ALWAYS_NUMERIC = new Set(['count', 'count_distinct']);
const NUMERIC_TYPES = new Set(['money', 'integer', 'number']);

/** `dimensions.N…` of the combined query → `rows.N…` or `columns.M…` of the pivot. */
export function pivotFieldPath(path: string, rowCount: number): string {
  const match = /^dimensions(?:\.(\d+))?(.*)$/.exec(path);
  if (!match) return path;
  if (match[1] === undefined) return `rows${match[2]}`;
  const i = Number(match[1]);
  return i < rowCount ? `rows.${i}${match[2]}` : `columns.${i - rowCount}${match[2]}`;
}

export function checkPivot(engine: AnalyticsEngine, request: PivotRequest): void {
  const { rows, columns } = request;
  if (rows.length === 0) throw new AnalyticsInputError('rows', 'a pivot needs at least one row field');
  if (rows.length + columns.length > ANALYTICS_LIMITS.maxDimensions) {
    throw new AnalyticsInputError('columns', `at most ${ANALYTICS_LIMITS.maxDimensions} row and column fields together`);
  }
  const seen = new Map<string, string>();
  for (const [path, name] of [...rows.map((n, i) => [`rows.${i}`, n]), ...columns.map((n, i) => [`columns.${i}`, n])] as [string, string][]) {
    const first = seen.get(name);
    if (first) throw new AnalyticsInputError(path, `"${name}" is already ${first}: a field is a row or a column field, once`);
    seen.set(name, path);
  }
  const query: AnalyticsQuery = { source: request.source, dimensions: [...rows, ...columns], measures: request.measures, filters: request.filters, sort: [], limit: 1 };
  try {
    engine.check(query);
  } catch (error) {
    if (error instanceof AnalyticsInputError) throw new AnalyticsInputError(pivotFieldPath(error.field, rows.length), error.message);
    throw error;
  }
  // The engine has vouched for source and fields; a cell must be a number, so min/max/… of text or time is no pivot measure.
  const dataset = datasetOf(request.source)!;
  request.measures.forEach((m, i) => {
    const type = isGrain(dataset, m.field) ? 'date' : fieldOf(dataset, m.field)?.type;
    if (!ALWAYS_NUMERIC.has(m.agg) && !NUMERIC_TYPES.has(type ?? '')) {
      throw new AnalyticsInputError(`measures.${i}.agg`, `a pivot's cells are numbers: ${m.agg} of ${m.field} is not (count or count_distinct are)`);
    }
  });
}

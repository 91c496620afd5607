import { TIME_GRAINS, type Aggregation, type Row, type Value } from '../../analytics/types.ts';
import { valueLabel } from './labels.ts';
import { toNumber } from './text.ts';

/**
 * A report's rows laid out for a chart: one value per (category, series) cell.
 * The report may group by more dimensions than the chart shows; their groups are
 * combined as the aggregation allows (sums add, minima take the least…).
 * checkChartSpecs refuses the aggregations that cannot be combined, so the
 * fallback below (keep the first value) is never reached from a report.
 */
export interface ChartGrid {
  categories: string[];
  /** Series labels; one entry, '', when the chart has no series dimension. */
  series: string[];
  /** `values[s][c]`. */
  values: (number | null)[][];
}

function combine(agg: Aggregation | undefined, a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  switch (agg) {
    case 'min': return Math.min(a, b);
    case 'max': return Math.max(a, b);
    case 'sum': case 'count': case undefined: return a + b;
    default: return a;
  }
}

/** Distinct values in the rows' order, or for a time grain in time order. */
function keysOf(rows: Row[], name: string): Value[] {
  const seen = new Map<string, Value>();
  for (const row of rows) {
    const value = row[name] ?? null;
    const key = JSON.stringify(value);
    if (!seen.has(key)) seen.set(key, value);
  }
  const keys = [...seen.values()];
  if ((TIME_GRAINS as readonly string[]).includes(name)) {
    keys.sort((a, b) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0));
  }
  return keys;
}

export function chartGrid(rows: Row[], dimension: string, series: string | undefined, measure: string, agg: Aggregation | undefined): ChartGrid {
  const cats = keysOf(rows, dimension);
  const sers = series === undefined ? [null] : keysOf(rows, series);
  const catAt = new Map(cats.map((v, i) => [JSON.stringify(v), i]));
  const serAt = new Map(sers.map((v, i) => [JSON.stringify(v), i]));
  const values = sers.map(() => cats.map((): number | null => null));
  for (const row of rows) {
    const c = catAt.get(JSON.stringify(row[dimension] ?? null))!;
    const s = series === undefined ? 0 : serAt.get(JSON.stringify(row[series] ?? null))!;
    values[s]![c] = combine(agg, values[s]![c] ?? null, toNumber(row[measure]));
  }
  return {
    categories: cats.map((v) => valueLabel(v, dimension)),
    series: series === undefined ? [''] : sers.map((v) => valueLabel(v, series)),
    values,
  };
}

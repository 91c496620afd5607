/**
 * Shares of a pivot's cells: of the row's total, of the column's total and of
 * the grand total, as fractions 0 … 1 (for non-negative measures).
 *
 * Only additive measures (`sum`, `count`) have shares: their parts add up to
 * the whole, so a cell over a total says how much of it the cell is. An
 * average, a distinct count, a minimum or a percentile of a group is not a part
 * of the total's (the groups' averages do not add up to the overall average),
 * so their shares are null rather than a number that means nothing.
 */
import type { Aggregation, PivotRow } from './types.ts';

export type ShareKind = 'row' | 'column' | 'total';

const ADDITIVE: ReadonlySet<Aggregation> = new Set(['sum', 'count']);

/** Whether shares of this aggregation mean anything (see above). */
export const hasShares = (agg: Aggregation): boolean => ADDITIVE.has(agg);

const fraction = (part: number | null, whole: number | null | undefined): number | null =>
  part === null || whole === null || whole === undefined || whole === 0 ? null : part / whole;

/**
 * Adds `shares` to every row, in place. `row`: over the row's total column;
 * `column`: over the grand total row's cell in the same column; `total`: over
 * the grand total's total column. A cell with no rows (null) or a zero whole
 * has a null share. The grand total row is the one of kind `total`.
 */
export function addShares(rows: PivotRow[], aggregations: readonly Aggregation[], kinds: readonly ShareKind[]): void {
  const grand = rows.find((r) => r.kind === 'total');
  for (const row of rows) {
    const shares: NonNullable<PivotRow['shares']> = {};
    for (const kind of new Set(kinds)) {
      shares[kind] = row.cells.map((cells, m) => {
        if (!hasShares(aggregations[m]!)) return cells.map(() => null);
        const last = cells.length - 1;
        const whole = (c: number) =>
          kind === 'row' ? cells[last] : kind === 'column' ? grand?.cells[m]![c] : grand?.cells[m]![last];
        return cells.map((value, c) => fraction(value, whole(c)));
      });
    }
    row.shares = shares;
  }
}

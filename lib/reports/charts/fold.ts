import { OTHER, type ChartSeries } from './input.ts';

/**
 * Bounding what a chart draws. Over a limit the largest entries stay, in their
 * own order; the rest become one "其他 / Other" entry when the values may be
 * summed, and are left out otherwise (the sum of averages is no average). Each
 * function says what it did in a note the chart prints under its title.
 */
export interface Folded<T> {
  value: T;
  note?: string;
}

const weight = (values: (number | null)[]): number => values.reduce<number>((s, v) => s + Math.abs(v ?? 0), 0);

function sumOrNull(values: (number | null)[]): number | null {
  return values.some((v) => v !== null) ? values.reduce<number>((s, v) => s + (v ?? 0), 0) : null;
}

/** Indexes of the `keep` heaviest entries, in their original order. */
function heaviest(weights: number[], keep: number): number[] {
  return weights
    .map((w, i) => ({ w, i }))
    .sort((a, b) => b.w - a.w || a.i - b.i)
    .slice(0, keep)
    .map((e) => e.i)
    .sort((a, b) => a - b);
}

function leftOut(total: number, kept: number, additive: boolean): string {
  return additive ? `另 ${total - kept} 项并入“其他”` : `仅显示最大的 ${kept} 项（共 ${total} 项）`;
}

/** Categories along an axis, with every series' values beside them. */
export function foldCategories(
  categories: string[],
  series: ChartSeries[],
  limit: number,
  options: { additive: boolean; ordered: boolean },
): Folded<{ categories: string[]; series: ChartSeries[] }> {
  if (categories.length <= limit) return { value: { categories, series } };
  if (options.ordered) {
    // A time axis: the latest periods matter most, and "other periods" is no period.
    const from = categories.length - limit;
    return {
      value: { categories: categories.slice(from), series: series.map((s) => ({ ...s, values: s.values.slice(from) })) },
      note: `仅显示最近 ${limit} 期（共 ${categories.length} 期）`,
    };
  }
  const keep = options.additive ? limit - 1 : limit;
  const kept = heaviest(categories.map((_, c) => weight(series.map((s) => s.values[c] ?? null))), keep);
  const keptSet = new Set(kept);
  return {
    value: {
      categories: [...kept.map((c) => categories[c]!), ...(options.additive ? [OTHER] : [])],
      series: series.map((s) => ({
        ...s,
        values: [
          ...kept.map((c) => s.values[c] ?? null),
          ...(options.additive ? [sumOrNull(s.values.filter((_, c) => !keptSet.has(c)))] : []),
        ],
      })),
    },
    note: leftOut(categories.length, keep, options.additive),
  };
}

/** Series (legend entries) over the limit. */
export function foldSeries(series: ChartSeries[], limit: number, additive: boolean): Folded<ChartSeries[]> {
  if (series.length <= limit) return { value: series };
  const keep = additive ? limit - 1 : limit;
  const kept = heaviest(series.map((s) => weight(s.values)), keep);
  const keptSet = new Set(kept);
  const value = kept.map((i) => series[i]!);
  if (additive) {
    const rest = series.filter((_, i) => !keptSet.has(i));
    const length = Math.max(...series.map((s) => s.values.length));
    value.push({ name: OTHER, values: Array.from({ length }, (_, c) => sumOrNull(rest.map((s) => s.values[c] ?? null))) });
  }
  return { value, note: `系列：${leftOut(series.length, keep, additive)}` };
}

/** Named amounts (pie slices, sankey nodes): the largest `limit`, the rest summed into one. */
export function foldAmounts(
  entries: { name: string; value: number }[],
  limit: number,
  additive: boolean,
): Folded<{ name: string; value: number }[]> {
  if (entries.length <= limit) return { value: entries };
  const keep = additive ? limit - 1 : limit;
  const kept = heaviest(entries.map((e) => Math.abs(e.value)), keep);
  const keptSet = new Set(kept);
  const value = kept.map((i) => entries[i]!);
  if (additive) value.push({ name: OTHER, value: entries.filter((_, i) => !keptSet.has(i)).reduce((s, e) => s + e.value, 0) });
  return { value, note: leftOut(entries.length, keep, additive) };
}

/** Distinct values in first-seen order (a label cut short may collide with another). */
export function distinct(values: string[]): string[] {
  return [...new Set(values)];
}

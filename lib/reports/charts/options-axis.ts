import { CHART_LIMITS, type BarChartInput, type ChartSeries, type LineChartInput } from './input.ts';
import { foldCategories, foldSeries } from './fold.ts';
import { baseOption, gridOf, hasSubtitle, legendOf, type BuiltOption, type Size } from './options-base.ts';
import { cleanText, formatTick, formatValue, toNumber } from './text.ts';

/** Line and bar charts: categories along x, values up y. */

const cleanSeries = (series: ChartSeries[], length: number): ChartSeries[] =>
  series.map((s) => ({ name: cleanText(s.name), values: Array.from({ length }, (_, i) => toNumber(s.values[i])) }));

function axes(categories: string[], valueLabel: string | undefined, bar: boolean, scale: boolean) {
  return {
    xAxis: {
      type: 'category',
      data: categories,
      boundaryGap: bar,
      // Long or many labels: tilt them, and let ECharts skip the ones that would overlap.
      axisLabel: { hideOverlap: true, rotate: bar && categories.length > 8 ? 30 : 0, fontSize: 11 },
    },
    yAxis: {
      type: 'value',
      name: valueLabel ? cleanText(valueLabel) : undefined,
      scale,
      axisLabel: { formatter: formatTick, fontSize: 11 },
    },
  };
}

export function lineOption(input: LineChartInput, size: Size): BuiltOption {
  const categories = input.categories.map((c) => cleanText(c));
  const notes: string[] = [];
  const bandSeries: ChartSeries[] = input.band ? [{ name: '', values: input.band.lower }, { name: '', values: input.band.upper }] : [];
  // The band rides along with the series so that the same latest periods are kept for both.
  const folded = foldCategories(categories, cleanSeries([...input.series, ...bandSeries], categories.length), CHART_LIMITS.linePoints, {
    additive: input.additive ?? true,
    ordered: true,
  });
  if (folded.note) notes.push(folded.note);
  const cats = folded.value.categories;
  const all = folded.value.series;
  const lines = foldSeries(all.slice(0, input.series.length), CHART_LIMITS.series, input.additive ?? true);
  if (lines.note) notes.push(lines.note);
  const dashed = new Set((input.dashed ?? []).map((n) => cleanText(n)));
  const dense = cats.length > 60;

  const series: Record<string, unknown>[] = lines.value.map((s) => ({
    type: 'line',
    name: s.name,
    data: s.values,
    showSymbol: !dense,
    symbolSize: 5,
    lineStyle: { width: dense ? 1.5 : 2, type: dashed.has(s.name) ? 'dashed' : 'solid' },
  }));

  if (input.band) {
    const [lower, upper] = [all[input.series.length]!.values, all[input.series.length + 1]!.values];
    const name = cleanText(input.band.name);
    // A band is two stacked lines: the lower bound, invisible, and the width on top of it, filled.
    // stackStrategy 'all': a negative lower bound must not start a separate stack.
    const common = { type: 'line', name, stack: 'band', stackStrategy: 'all', symbol: 'none', silent: true, lineStyle: { opacity: 0 }, itemStyle: { color: 'rgba(78, 121, 167, 0.3)' } };
    series.push({ ...common, data: lower });
    series.push({
      ...common,
      data: upper.map((u, i) => (u === null || lower[i] === null ? null : u - lower[i]!)),
      areaStyle: { color: 'rgba(78, 121, 167, 0.22)' },
    });
  }

  const present = new Set(cats);
  const marks = (input.marks ?? []).filter((m) => present.has(cleanText(m.category)) && Number.isFinite(m.value));
  if (marks.length > CHART_LIMITS.marks) notes.push(`仅标出前 ${CHART_LIMITS.marks} 个（共 ${marks.length} 个）`);
  if (marks.length > 0 && series[0]) {
    series[0].markPoint = {
      symbol: 'pin',
      symbolSize: 44,
      label: { fontSize: 10, color: '#ffffff' },
      data: marks.slice(0, CHART_LIMITS.marks).map((m) => ({
        name: cleanText(m.label, 12),
        coord: [cleanText(m.category), m.value],
        value: cleanText(m.label, 12),
        itemStyle: { color: m.kind === 'drop' ? '#e67e22' : '#c0392b' },
      })),
    };
  }

  const empty = cats.length === 0 || lines.value.length === 0;
  const option = baseOption(input, notes, size, empty);
  const legend = legendOf([...lines.value.map((s) => s.name), ...(input.band ? [cleanText(input.band.name)] : [])]);
  return {
    option: { ...option, legend, grid: gridOf(hasSubtitle(option), Boolean(legend)), ...axes(cats, input.valueLabel, false, true), series },
    empty,
  };
}

export function barOption(input: BarChartInput, size: Size): BuiltOption {
  const additive = input.additive ?? true;
  const categories = input.categories.map((c) => cleanText(c));
  const notes: string[] = [];
  const folded = foldCategories(categories, cleanSeries(input.series, categories.length), CHART_LIMITS.categories, {
    additive,
    ordered: input.ordered ?? false,
  });
  if (folded.note) notes.push(folded.note);
  const bars = foldSeries(folded.value.series, CHART_LIMITS.series, additive);
  if (bars.note) notes.push(bars.note);
  const cats = folded.value.categories;
  const series = bars.value.map((s) => ({
    type: 'bar',
    name: s.name,
    data: s.values,
    stack: input.stacked ? 'total' : undefined,
    barMaxWidth: 48,
    // One series and few bars: the value on each bar is easier to read than the axis.
    label: { show: bars.value.length === 1 && cats.length <= 12, position: 'top', fontSize: 10, formatter: (p: { value: unknown }) => formatValue(toNumber(p.value)) },
  }));
  const empty = cats.length === 0 || series.length === 0;
  const option = baseOption(input, notes, size, empty);
  const legend = legendOf(bars.value.map((s) => s.name));
  return {
    option: { ...option, legend, grid: gridOf(hasSubtitle(option), Boolean(legend)), ...axes(cats, input.valueLabel, true, false), series },
    empty,
  };
}

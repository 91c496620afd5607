import { CHART_LIMITS, type HeatmapChartInput, type PieChartInput, type RadarChartInput } from './input.ts';
import { distinct, foldAmounts, foldCategories, foldSeries } from './fold.ts';
import { baseOption, gridOf, hasSubtitle, type BuiltOption, type Size } from './options-base.ts';
import { cleanText, formatTick, formatValue, toNumber } from './text.ts';

/** Pie, heatmap and radar: charts without a plain value axis. */

export function pieOption(input: PieChartInput, size: Size): BuiltOption {
  // Same-named slices (two labels cut to the same text) are one slice.
  const byName = new Map<string, number>();
  let skipped = 0;
  for (const slice of input.slices) {
    const value = toNumber(slice.value);
    if (value === null || value <= 0) skipped++;
    else byName.set(cleanText(slice.name), (byName.get(cleanText(slice.name)) ?? 0) + value);
  }
  const notes = skipped > 0 ? [`${skipped} 项为零、负数或缺失，未画出`] : [];
  const folded = foldAmounts([...byName].map(([name, value]) => ({ name, value })), CHART_LIMITS.slices, input.additive ?? true);
  if (folded.note) notes.push(folded.note);
  const empty = folded.value.length === 0;
  const option = baseOption(input, notes, size, empty);
  const top = hasSubtitle(option) ? 84 : 60;
  return {
    option: {
      ...option,
      series: [{
        type: 'pie',
        name: input.valueLabel ? cleanText(input.valueLabel) : undefined,
        top,
        bottom: 16,
        radius: ['0%', '62%'],
        data: folded.value,
        label: { fontSize: 11, formatter: (p: { name: string; value: number; percent: number }) => `${p.name}\n${formatValue(p.value)}（${p.percent}%）` },
        labelLayout: { hideOverlap: true },
      }],
    },
    empty,
  };
}

export function heatmapOption(input: HeatmapChartInput, size: Size): BuiltOption {
  const additive = input.additive ?? true;
  const x = distinct(input.x.map((v) => cleanText(v)));
  const y = distinct(input.y.map((v) => cleanText(v)));
  const xAt = new Map(x.map((v, i) => [v, i]));
  // Rows of the grid as series over x, so that folding x and y reuses the axis folds.
  const rows = y.map((name) => ({ name, values: x.map((): number | null => null) }));
  const yAt = new Map(y.map((v, i) => [v, i]));
  for (const cell of input.cells) {
    const [xi, yi, value] = [xAt.get(cleanText(cell.x)), yAt.get(cleanText(cell.y)), toNumber(cell.value)];
    if (xi === undefined || yi === undefined || value === null) continue;
    // A cell given twice: added when values add up, else the first one stays.
    const values = rows[yi]!.values;
    const prior = values[xi] ?? null;
    values[xi] = prior === null ? value : additive ? prior + value : prior;
  }
  const notes: string[] = [];
  const byX = foldCategories(x, rows, CHART_LIMITS.heatmapX, { additive, ordered: input.ordered ?? false });
  if (byX.note) notes.push(`横轴：${byX.note}`);
  const byY = foldSeries(byX.value.series, CHART_LIMITS.heatmapY, additive);
  if (byY.note) notes.push(byY.note.replace('系列', '纵轴'));
  const cats = byX.value.categories;
  const data = byY.value.flatMap((row, yi) => row.values.flatMap((v, xi) => (v === null ? [] : [[xi, yi, v]])));
  const values = data.map((d) => d[2]!);
  const empty = data.length === 0;
  const option = baseOption(input, notes, size, empty);
  const grid = { ...gridOf(hasSubtitle(option), true), bottom: 72 };
  return {
    option: {
      ...option,
      grid,
      xAxis: { type: 'category', data: cats, splitArea: { show: true }, axisLabel: { hideOverlap: true, rotate: cats.length > 8 ? 30 : 0, fontSize: 11 } },
      yAxis: { type: 'category', data: byY.value.map((r) => r.name), splitArea: { show: true }, axisLabel: { fontSize: 11 } },
      visualMap: {
        min: empty ? 0 : Math.min(...values),
        max: empty ? 1 : Math.max(...values),
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 4,
        itemHeight: 160,
        text: [formatTick(empty ? 1 : Math.max(...values)), formatTick(empty ? 0 : Math.min(...values))],
        inRange: { color: ['#eef4fb', '#6baed6', '#08306b'] },
        textStyle: { fontSize: 11 },
      },
      series: [{
        type: 'heatmap',
        name: input.valueLabel ? cleanText(input.valueLabel) : undefined,
        data,
        // Values in the cells only while they fit.
        label: { show: data.length <= 120, fontSize: 9, formatter: (p: { value: number[] }) => formatTick(p.value[2]!) },
      }],
    },
    empty,
  };
}

/** A round number at or above `v`, for a radar axis' end. */
export function roundUp(v: number): number {
  if (!(v > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(v));
  const step = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((s) => s * magnitude >= v) ?? 10;
  return step * magnitude;
}

export function radarOption(input: RadarChartInput, size: Size): BuiltOption {
  const notes: string[] = [];
  let indicators = input.indicators.map((i) => ({ name: cleanText(i.name), max: toNumber(i.max) }));
  if (indicators.length > CHART_LIMITS.radarIndicators) {
    notes.push(`仅显示前 ${CHART_LIMITS.radarIndicators} 个维度（共 ${indicators.length} 个）`);
    indicators = indicators.slice(0, CHART_LIMITS.radarIndicators);
  }
  const cleaned = input.series.map((s) => ({ name: cleanText(s.name), values: indicators.map((_, i) => toNumber(s.values[i])) }));
  // A polygon of "everything else" would dwarf the rest: extra series are left out, never summed.
  const shown = foldSeries(cleaned, CHART_LIMITS.series, false);
  if (shown.note) notes.push(shown.note);
  const indicator = indicators.map((ind, i) => {
    const column = shown.value.map((s) => s.values[i] ?? null).filter((v): v is number => v !== null);
    const min = Math.min(0, ...column);
    return { name: ind.name, min: min < 0 ? -roundUp(-min) : 0, max: ind.max !== null && ind.max > 0 ? ind.max : roundUp(Math.max(0, ...column) * 1.05) };
  });
  const empty = indicator.length === 0 || shown.value.length === 0;
  const option = baseOption(input, notes, size, empty);
  const legend = shown.value.length > 1 ? { bottom: 4, data: shown.value.map((s) => s.name), textStyle: { fontSize: 11 } } : undefined;
  return {
    option: {
      ...option,
      legend,
      // An empty indicator list makes ECharts' radar throw: draw one blank axis instead.
      radar: {
        indicator: indicator.length > 0 ? indicator : [{ name: '', max: 1 }],
        radius: '58%',
        center: ['50%', hasSubtitle(option) ? '57%' : '55%'],
        axisName: { fontSize: 11, color: '#333333' },
      },
      series: [{
        type: 'radar',
        data: shown.value.map((s) => ({ name: s.name, value: s.values.map((v) => v ?? 0) })),
        areaStyle: { opacity: 0.12 },
        symbolSize: 4,
      }],
    },
    empty,
  };
}

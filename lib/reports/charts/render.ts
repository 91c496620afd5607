import * as echarts from 'echarts/core';
import { BarChart, HeatmapChart, LineChart, PieChart, RadarChart, SankeyChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkPointComponent, RadarComponent, TitleComponent, VisualMapComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { renderAsync } from '@resvg/resvg-js';
import { CJK_FONT_BOLD, CJK_FONT_FAMILY, CJK_FONT_REGULAR } from '../fonts.ts';
import type { RenderedChart } from '../types.ts';
import { CHART_LIMITS, DEFAULT_CHART_SIZE, type ChartInput } from './input.ts';
import { barOption, lineOption } from './options-axis.ts';
import type { BuiltOption, Size } from './options-base.ts';
import { heatmapOption, pieOption, radarOption } from './options-other.ts';
import { sankeyOption } from './sankey.ts';
import { cleanTitle } from './text.ts';

// Registered once, when this module loads: `use` fills ECharts' global registry
// of chart and component types, which is shared, constant and harmless. Nothing
// else is global: each chart gets its own instance, disposed after drawing.
echarts.use([
  LineChart, BarChart, PieChart, HeatmapChart, SankeyChart, RadarChart,
  TitleComponent, GridComponent, LegendComponent, MarkPointComponent, VisualMapComponent, RadarComponent,
  SVGRenderer,
]);

/** The PNG is drawn at twice the SVG's size: sharp in a PDF page or a workbook at 100 %. */
export const PNG_SCALE = 2;

function optionOf(input: ChartInput, size: Size): BuiltOption {
  switch (input.type) {
    case 'line': return lineOption(input, size);
    case 'bar': return barOption(input, size);
    case 'pie': return pieOption(input, size);
    case 'heatmap': return heatmapOption(input, size);
    case 'sankey': return sankeyOption(input, size);
    case 'radar': return radarOption(input, size);
  }
}

const clamp = (v: number, lo: number, hi: number): number => (Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : lo);

export function chartSize(size?: Partial<Size>): Size {
  return {
    width: clamp(size?.width ?? DEFAULT_CHART_SIZE.width, CHART_LIMITS.minSize.width, CHART_LIMITS.maxSize.width),
    height: clamp(size?.height ?? DEFAULT_CHART_SIZE.height, CHART_LIMITS.minSize.height, CHART_LIMITS.maxSize.height),
  };
}

/** A chart as SVG text: ECharts' server-side renderer, one throwaway instance per chart. */
export function renderChartSvg(input: ChartInput, size?: Partial<Size>): { svg: string; size: Size; empty: boolean } {
  const bounded = chartSize(size);
  const { option, empty } = optionOf(input, bounded);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: bounded.width, height: bounded.height });
  try {
    chart.setOption(option);
    return { svg: chart.renderToSVGString(), size: bounded, empty };
  } finally {
    chart.dispose();
  }
}

/**
 * SVG → pixels with resvg and the embedded Noto Sans SC only: no system font is
 * loaded, so the image is the same on any machine, and Chinese never falls back
 * to missing glyphs. `renderAsync` rasterizes off the event loop (a chart takes
 * ~0.2–0.4 s, most of it parsing the fonts).
 */
export async function rasterize(svg: string, zoom: number = PNG_SCALE): Promise<{ png: Buffer; pixels: Buffer; width: number; height: number }> {
  const image = await renderAsync(svg, {
    font: { fontFiles: [CJK_FONT_REGULAR, CJK_FONT_BOLD], loadSystemFonts: false, defaultFontFamily: CJK_FONT_FAMILY },
    fitTo: { mode: 'zoom', value: zoom },
    background: '#ffffff',
  });
  return { png: image.asPng(), pixels: image.pixels, width: image.width, height: image.height };
}

export const svgToPng = async (svg: string): Promise<Buffer> => (await rasterize(svg)).png;

/** A chart from plain data, as SVG and PNG. `width`/`height` are the SVG's; the PNG is PNG_SCALE times larger. */
export async function renderChart(input: ChartInput, size?: Partial<Size>): Promise<RenderedChart> {
  const { svg, size: bounded } = renderChartSvg(input, size);
  return { title: cleanTitle(input.title), type: input.type, svg, png: await svgToPng(svg), width: bounded.width, height: bounded.height };
}

/**
 * Charts rendered on the server: ECharts' SVG renderer, then resvg to PNG with
 * the embedded Noto Sans SC. `renderReportCharts` draws a report's chart specs
 * from its content; `renderChart` draws any chart from plain data;
 * `checkChartSpecs` lets the API refuse a bad spec (400 naming the field)
 * before a workflow starts.
 */
export { renderReportCharts, chartInputOf, chartShapeOf, ChartSpecError } from './report.ts';
export { renderChart, renderChartSvg, rasterize, svgToPng, PNG_SCALE } from './render.ts';
export { checkChartSpecs, resolveChart, MAX_REPORT_CHARTS, type ChartReportShape, type ChartSpecProblem, type ResolvedChart } from './check.ts';
export { CHART_LIMITS, DEFAULT_CHART_SIZE, OTHER, type ChartInput } from './input.ts';

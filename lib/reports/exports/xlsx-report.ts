import ExcelJS from 'exceljs';
import type { ColumnType } from '../../analytics/types.ts';
import type { RenderedChart, ReportContent } from '../types.ts';
import { backtestVerdict, columnLabel, filtersWords, sourceLabel, WORDS } from './labels.ts';
import { excelValue, NUMBER_FORMATS, styleHeader, textWidth } from './xlsx-cells.ts';
import { outputDone } from './output.ts';
import { placeImages } from './xlsx-images.ts';
import { addPivotSheet } from './xlsx-pivot.ts';
import { addTableSheet } from './xlsx-table.ts';

type Writer = ExcelJS.stream.xlsx.WorkbookWriter;
const BOLD = { font: { bold: true } } as const;
const num = (value: number) => excelValue('number', value);

/** Type of a result column (for the number format of a forecast or anomaly series). */
function typeOf(content: ReportContent, name: string): ColumnType {
  return content.data.columns.find((c) => c.name === name)?.type ?? 'number';
}

function addSummarySheet(workbook: Writer, content: ReportContent): void {
  const sheet = workbook.addWorksheet(WORDS.summary);
  sheet.columns = [{ width: 14, style: BOLD }, { width: 70 }];
  const line = (label: string | null, value: ExcelJS.CellValue, numFmt?: string) => {
    const row = sheet.addRow([label, value]);
    if (numFmt) row.getCell(2).numFmt = numFmt;
    row.commit();
  };
  line(WORDS.title, content.title);
  line(WORDS.source, sourceLabel(content.source));
  filtersWords(content.source, content.filters).forEach((words, i) => line(i === 0 ? WORDS.filters : null, words));
  line(WORDS.generatedAt, excelValue('timestamp', content.generatedAt), 'yyyy-mm-dd hh:mm:ss "UTC"');
  line(WORDS.rows, content.data.rows.length, '#,##0');
  if (content.data.truncated) line(null, WORDS.truncated.replace('{n}', String(content.data.rows.length)));
  sheet.commit();
}

/** A sheet of label/value lines, then a styled table frozen under its header. */
function addSeriesSheet(
  workbook: Writer,
  name: string,
  intro: [string, ExcelJS.CellValue, string?][],
  columns: { header: string; width: number; numFmt?: string }[],
  rows: ExcelJS.CellValue[][],
): void {
  const headerRow = intro.length + (intro.length > 0 ? 2 : 1);
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', xSplit: 0, ySplit: headerRow }] });
  // The first column also holds the intro's labels: wide enough for them.
  const labelWidth = Math.max(0, ...intro.map(([label]) => textWidth(label) + 2));
  sheet.columns = columns.map((c, i) => ({ width: i === 0 ? Math.max(c.width, labelWidth) : c.width, style: c.numFmt ? { numFmt: c.numFmt } : {} }));
  for (const [label, value, numFmt] of intro) {
    const row = sheet.addRow([label, value]);
    row.getCell(1).font = { bold: true };
    if (numFmt) row.getCell(2).numFmt = numFmt;
    row.commit();
  }
  if (intro.length > 0) sheet.addRow([]).commit();
  const header = sheet.addRow(columns.map((c) => c.header));
  styleHeader(header, columns.length);
  header.commit();
  for (const values of rows) sheet.addRow(values).commit();
  sheet.autoFilter = { from: { row: headerRow, column: 1 }, to: { row: headerRow + rows.length, column: columns.length } };
  sheet.commit();
}

function addForecastSheet(workbook: Writer, content: ReportContent): void {
  const f = content.forecast!;
  const fmt = NUMBER_FORMATS[typeOf(content, f.measure)] ?? NUMBER_FORMATS.number!;
  addSeriesSheet(workbook, WORDS.forecast, [
    ['指标', columnLabel(content, f.measure)],
    [WORDS.method, f.method],
    [WORDS.level, num(f.level), '0%'],
    [`回测 sMAPE（最后 ${f.backtest.horizon} 期）`, num(f.backtest.smape / 100), '0.00%'],
    ['季节性朴素基线 sMAPE', num(f.backtest.baseline.smape / 100), '0.00%'],
    ['结论', backtestVerdict(f.backtest)],
  ], [
    { header: WORDS.period, width: 12, numFmt: NUMBER_FORMATS.date },
    ...[WORDS.actual, WORDS.predicted, WORDS.lower, WORDS.upper].map((header) => ({ header, width: 16, numFmt: fmt })),
  ], [
    ...f.history.map((h) => [excelValue('date', h.period), num(h.value), null, null, null]),
    ...f.forecast.map((p) => [excelValue('date', p.period), null, num(p.value), num(p.lower), num(p.upper)]),
  ]);
}

function addAnomalySheet(workbook: Writer, content: ReportContent): void {
  const a = content.anomalies!;
  const fmt = NUMBER_FORMATS[typeOf(content, a.measure)] ?? NUMBER_FORMATS.number!;
  addSeriesSheet(workbook, WORDS.anomalies, [
    ['指标', columnLabel(content, a.measure)],
    [WORDS.method, a.method],
  ], [
    { header: WORDS.period, width: 12, numFmt: NUMBER_FORMATS.date },
    { header: WORDS.actual, width: 16, numFmt: fmt },
    { header: WORDS.expected, width: 16, numFmt: fmt },
    { header: WORDS.score, width: 10, numFmt: '0.00' },
    { header: WORDS.direction, width: 8 },
    { header: WORDS.reason, width: 80 },
  ], a.anomalies.map((x) => [
    excelValue('date', x.period), num(x.value), num(x.expected), num(x.score), x.direction === 'spike' ? WORDS.spike : WORDS.drop, x.reason,
  ]));
}

/** Default row height in pixels (15 points): where the next chart may start. */
const ROW_PIXELS = 20;

function addChartSheet(workbook: Writer, charts: RenderedChart[]): void {
  const sheet = workbook.addWorksheet(WORDS.charts);
  sheet.columns = [{ width: 12 }];
  const placed = [];
  let row = 1;
  for (const chart of charts) {
    const title = sheet.getRow(row);
    title.getCell(1).value = chart.title;
    title.getCell(1).font = { bold: true, size: 12 };
    title.commit();
    const imageId = workbook.addImage({ buffer: chart.png as unknown as ExcelJS.Buffer, extension: 'png' });
    // Anchors count rows from 0: index `row` is the row right under the title.
    placed.push({ imageId, col: 0, row, width: chart.width, height: chart.height });
    // The rows under a picture stay empty; the next title goes two rows below it.
    row += 1 + Math.ceil(chart.height / ROW_PIXELS) + 1;
  }
  placeImages(workbook, sheet, placed);
  sheet.commit();
}

/**
 * The report as an xlsx workbook, streamed to `out`: 摘要 (summary), 数据 (the
 * query's rows), then 透视表, 预测, 异常 and 图表 when the report has them.
 * Each sheet is committed before the next starts: the zip takes entries one at
 * a time, so an open earlier sheet would make the later ones wait in memory.
 */
export async function writeXlsxReport(content: ReportContent, charts: RenderedChart[], out: NodeJS.WritableStream): Promise<void> {
  // exceljs waits for `out` to finish and never hears of an early close: `done` does.
  await Promise.all([writeWorkbook(content, charts, out), outputDone(out)]);
}

async function writeWorkbook(content: ReportContent, charts: RenderedChart[], out: NodeJS.WritableStream): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out as never, useStyles: true, useSharedStrings: false });
  workbook.creator = 'AI Stack reports';
  const generated = new Date(content.generatedAt);
  if (!Number.isNaN(generated.getTime())) workbook.created = generated;
  addSummarySheet(workbook, content);
  const labels = Object.fromEntries(content.data.columns.map((c) => [c.name, columnLabel(content, c.name)]));
  await addTableSheet(workbook, content.data.columns, content.data.rows, { sheetName: WORDS.data, labels });
  if (content.pivot) await addPivotSheet(workbook, content.pivot, (c) => columnLabel(content, c.name));
  if (content.forecast) addForecastSheet(workbook, content);
  if (content.anomalies) addAnomalySheet(workbook, content);
  if (charts.length > 0) addChartSheet(workbook, charts);
  await workbook.commit();
}

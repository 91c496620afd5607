import PDFDocument from 'pdfkit';
import type { ColumnType, PivotResult } from '../../analytics/types.ts';
import { CJK_FONT_BOLD, CJK_FONT_REGULAR } from '../fonts.ts';
import type { RenderedChart, ReportContent } from '../types.ts';
import { backtestVerdict, columnLabel, displayValue, filtersWords, keyWords, sourceLabel, WORDS } from './labels.ts';
import { outputDone } from './output.ts';
import { drawTable, FONT, FONT_BOLD, type PdfColumn, type PdfRow } from './pdf-table.ts';

/**
 * The report as a PDF (A4, the embedded Noto Sans SC so Chinese renders with no
 * system font): title and filters, the pivot, the forecast with its backtest, the
 * anomalies, the charts, then the data. Pages are buffered so each can be
 * numbered "第 n 页 / 共 m 页" at the end; the tables are capped (below) so the
 * buffer stays bounded: the full data is in the xlsx and the CSV.
 */
export const PDF_LIMITS = { dataRows: 2_000, pivotRows: 2_000, forecastRows: 400, anomalyRows: 500 } as const;

type Doc = InstanceType<typeof PDFDocument>;
const MARGIN = 40;

const typeOf = (content: ReportContent, name: string): ColumnType =>
  content.data.columns.find((c) => c.name === name)?.type ?? 'number';
const isNumeric = (type: ColumnType) => type === 'money' || type === 'integer' || type === 'number';

/** A section title; starts a new page unless `room` points (what must follow it) still fit. */
function heading(doc: Doc, text: string, room = 60): void {
  if (doc.y + room > doc.page.height - doc.page.margins.bottom) doc.addPage();
  doc.moveDown(0.6).font(FONT_BOLD).fontSize(13).fillColor('#1F2937').text(text, MARGIN);
  doc.moveDown(0.3).font(FONT).fontSize(9.5).fillColor('#111827');
}

function paragraph(doc: Doc, text: string, color = '#111827'): void {
  doc.font(FONT).fontSize(9.5).fillColor(color).text(text, MARGIN, doc.y, { width: doc.page.width - 2 * MARGIN });
  doc.fillColor('#111827');
}

function capNote(doc: Doc, shown: number, total: number, what: string): void {
  if (total > shown) paragraph(doc, `PDF 仅列出${what}的前 ${shown.toLocaleString('en-US')} 行（共 ${total.toLocaleString('en-US')} 行）；完整内容见 xlsx / csv 文件。`, '#B45309');
}

function summary(doc: Doc, content: ReportContent): void {
  doc.font(FONT_BOLD).fontSize(18).fillColor('#111827').text(content.title, MARGIN, MARGIN, { width: doc.page.width - 2 * MARGIN });
  doc.moveDown(0.5);
  paragraph(doc, `${WORDS.source}：${sourceLabel(content.source)}`);
  paragraph(doc, `${WORDS.filters}：${filtersWords(content.source, content.filters).join('；')}`);
  paragraph(doc, `${WORDS.generatedAt}：${displayValue({ name: 'generatedAt', type: 'timestamp' }, content.generatedAt)}`);
  const truncated = content.data.truncated ? `（${WORDS.truncated.replace('{n}', String(content.data.rows.length))}）` : '';
  paragraph(doc, `${WORDS.rows}：${content.data.rows.length.toLocaleString('en-US')}${truncated}`);
}

function pivotSection(doc: Doc, content: ReportContent, pivot: PivotResult): void {
  heading(doc, WORDS.pivot);
  const withKeys = pivot.columnFields.length > 0;
  const across = withKeys ? `；列：${pivot.columnFields.map((f) => columnLabel(content, f.name)).join(' / ')}` : '';
  paragraph(doc, `指标：${pivot.measures.map((m) => columnLabel(content, m.name)).join('、')}${across}。`);
  doc.moveDown(0.4);
  const indexes = [...(withKeys ? pivot.columnKeys.map((_, c) => c) : []), pivot.columnKeys.length];
  const columns: PdfColumn[] = [
    ...pivot.rowFields.map((f) => ({ header: columnLabel(content, f.name), align: 'left' as const })),
    ...pivot.measures.flatMap((m) => indexes.map((c) => {
      const key = c < pivot.columnKeys.length ? keyWords(pivot.columnKeys[c]!) : WORDS.total;
      const header = pivot.measures.length > 1 || !withKeys ? `${columnLabel(content, m.name)} ${withKeys ? key : ''}`.trim() : key;
      return { header, align: 'right' as const };
    })),
  ];
  const rows: PdfRow[] = pivot.rows.slice(0, PDF_LIMITS.pivotRows).map((row) => ({
    bold: row.kind !== 'detail',
    cells: [
      ...pivot.rowFields.map((f, i) => {
        if (row.kind === 'total') return i === 0 ? WORDS.total : '';
        if (row.kind === 'subtotal' && i >= row.depth) return i === row.depth ? WORDS.subtotal : '';
        return displayValue(f, row.key[i]);
      }),
      ...pivot.measures.flatMap((m, mi) => indexes.map((c) => displayValue(m, row.cells[mi]?.[c]))),
    ],
  }));
  drawTable(doc, columns, rows, pivot.rowFields.length);
  capNote(doc, rows.length, pivot.rows.length, WORDS.pivot);
}

function forecastSection(doc: Doc, content: ReportContent): void {
  const f = content.forecast!;
  const type = typeOf(content, f.measure);
  heading(doc, WORDS.forecast);
  const { smape, horizon, baseline } = f.backtest;
  paragraph(doc, `指标：${columnLabel(content, f.measure)}；${WORDS.method}：${f.method}；${WORDS.level}：${Math.round(f.level * 100)}%。`);
  paragraph(doc, `回测（留出最后 ${horizon} 期）sMAPE ${smape.toFixed(2)}%，季节性朴素基线 sMAPE ${baseline.smape.toFixed(2)}%：${backtestVerdict(f.backtest)}。`);
  doc.moveDown(0.4);
  const money = { name: f.measure, type };
  drawTable(doc, [WORDS.period, WORDS.predicted, WORDS.lower, WORDS.upper].map((header, i) => ({ header, align: i === 0 ? 'left' : 'right' })),
    f.forecast.slice(0, PDF_LIMITS.forecastRows).map((p) => ({
      cells: [p.period, displayValue(money, p.value), displayValue(money, p.lower), displayValue(money, p.upper)],
    })));
  capNote(doc, Math.min(f.forecast.length, PDF_LIMITS.forecastRows), f.forecast.length, WORDS.forecast);
}

function anomalySection(doc: Doc, content: ReportContent): void {
  const a = content.anomalies!;
  const value = { name: a.measure, type: typeOf(content, a.measure) };
  heading(doc, WORDS.anomalies);
  paragraph(doc, `指标：${columnLabel(content, a.measure)}；${WORDS.method}：${a.method}；共 ${a.anomalies.length} 个异常。`);
  doc.moveDown(0.4);
  if (a.anomalies.length === 0) return;
  const headers = [WORDS.period, WORDS.actual, WORDS.expected, WORDS.score, WORDS.direction, WORDS.reason];
  drawTable(doc, headers.map((header, i) => ({ header, align: i >= 1 && i <= 3 ? 'right' : 'left' })),
    a.anomalies.slice(0, PDF_LIMITS.anomalyRows).map((x) => ({
      cells: [x.period, displayValue(value, x.value), displayValue(value, x.expected), x.score.toFixed(2),
        x.direction === 'spike' ? WORDS.spike : WORDS.drop, x.reason],
    })));
  capNote(doc, Math.min(a.anomalies.length, PDF_LIMITS.anomalyRows), a.anomalies.length, WORDS.anomalies);
}

function chartSection(doc: Doc, charts: RenderedChart[]): void {
  const avail = doc.page.width - 2 * MARGIN;
  const first = charts[0]!;
  // The heading moves with the first chart rather than sit alone at a page's foot.
  heading(doc, WORDS.charts, 60 + (first.height * Math.min(avail, first.width)) / first.width);
  for (const chart of charts) {
    const width = Math.min(avail, chart.width);
    const height = (chart.height * width) / chart.width;
    if (doc.y + height + 24 > doc.page.height - doc.page.margins.bottom) doc.addPage();
    doc.font(FONT_BOLD).fontSize(10).text(chart.title, MARGIN, doc.y);
    const y = doc.y + 4;
    doc.image(chart.png, MARGIN + (avail - width) / 2, y, { width, height });
    doc.x = MARGIN;
    doc.y = y + height + 12;
  }
}

function dataSection(doc: Doc, content: ReportContent): void {
  heading(doc, WORDS.data);
  const { columns, rows } = content.data;
  const shown = rows.slice(0, PDF_LIMITS.dataRows);
  drawTable(doc, columns.map((c) => ({ header: columnLabel(content, c.name), align: isNumeric(c.type) && c.name !== 'weekday' ? 'right' : 'left' })),
    shown.map((row) => ({ cells: columns.map((c) => displayValue(c, row[c.name])) })),
    Math.max(1, Math.min(2, columns.filter((c) => c.role === 'dimension').length)));
  capNote(doc, shown.length, rows.length, WORDS.data);
}

/** Numbers every buffered page at its foot, inside the bottom margin (so no new page is started). */
function numberPages(doc: Doc): void {
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    const text = `第 ${i - start + 1} 页 / 共 ${count} 页`;
    doc.font(FONT).fontSize(8).fillColor('#6B7280');
    doc.text(text, (doc.page.width - doc.widthOfString(text)) / 2, doc.page.height - MARGIN / 2 - 6, { lineBreak: false });
  }
}

/** Writes the report as a PDF to `out` and resolves when `out` has finished. */
export async function writePdfReport(content: ReportContent, charts: RenderedChart[], out: NodeJS.WritableStream): Promise<void> {
  const generated = new Date(content.generatedAt);
  const doc = new PDFDocument({
    size: 'A4', margin: MARGIN, bufferPages: true,
    info: { Title: content.title, Creator: 'AI Stack reports', ...(Number.isNaN(generated.getTime()) ? {} : { CreationDate: generated }) },
  });
  doc.registerFont(FONT, CJK_FONT_REGULAR);
  doc.registerFont(FONT_BOLD, CJK_FONT_BOLD);
  const done = outputDone(out);
  doc.pipe(out);
  summary(doc, content);
  if (content.pivot) pivotSection(doc, content, content.pivot);
  if (content.forecast) forecastSection(doc, content);
  if (content.anomalies) anomalySection(doc, content);
  if (charts.length > 0) chartSection(doc, charts);
  dataSection(doc, content);
  numberPages(doc);
  doc.end();
  await done;
}

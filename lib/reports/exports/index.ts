import type { Writable } from 'node:stream';
import type { RenderedChart, ReportContent, ReportFormat } from '../types.ts';
import { writeCsv } from './csv.ts';
import { writeJson } from './json.ts';
import { writePdfReport } from './pdf-report.ts';
import { writeXlsxReport } from './xlsx-report.ts';

export { writeXlsxTable, type XlsxTableOptions } from './xlsx-table.ts';
export { PDF_LIMITS } from './pdf-report.ts';

/** What each format is served as (content type) and saved as (file extension). */
export const REPORT_FILES: Record<ReportFormat, { contentType: string; extension: string }> = {
  xlsx: { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extension: 'xlsx' },
  pdf: { contentType: 'application/pdf', extension: 'pdf' },
  // The charset tells browsers what the BOM tells Excel.
  csv: { contentType: 'text/csv; charset=utf-8', extension: 'csv' },
  json: { contentType: 'application/json; charset=utf-8', extension: 'json' },
};

/**
 * Writes a report in one format to `out`, ends `out`, and resolves once it has
 * finished. It rejects if writing fails or `out` fails or closes early; `out` is
 * then destroyed, so a half-written file never passes for a whole one. The CSV
 * holds the data rows only (a CSV has one table); the JSON everything but the
 * chart images; the xlsx and the PDF everything.
 */
export async function writeReport(format: ReportFormat, content: ReportContent, charts: RenderedChart[], out: NodeJS.WritableStream): Promise<void> {
  try {
    await writeFormat(format, content, charts, out);
  } catch (error) {
    (out as Partial<Writable>).destroy?.(error as Error);
    throw error;
  }
}

function writeFormat(format: ReportFormat, content: ReportContent, charts: RenderedChart[], out: NodeJS.WritableStream): Promise<void> {
  switch (format) {
    case 'xlsx':
      return writeXlsxReport(content, charts, out);
    case 'pdf':
      return writePdfReport(content, charts, out);
    case 'csv':
      return writeCsv(content.data.columns, content.data.rows, out);
    case 'json':
      return writeJson(content, out);
    default:
      throw new Error(`unknown report format ${String(format satisfies never)}`);
  }
}

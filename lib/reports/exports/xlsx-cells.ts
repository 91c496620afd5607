import type ExcelJS from 'exceljs';
import type { ColumnType } from '../../analytics/types.ts';

/**
 * Cell values and styles of the workbook. Every value written is a scalar or a
 * Date, never an object: exceljs only makes a formula from `{ formula }`, so a
 * text such as `=HYPERLINK(...)`, `+1` or `@SUM(A1)` is stored as an inline
 * string and Excel shows it as typed. (exceljs 4.4.0 cannot write the
 * `quotePrefix` style, which would also keep Excel from re-reading it as a
 * formula after a user edits the cell; the CSV, which has no cell types, gets
 * the OWASP apostrophe instead.)
 */
export type ExcelValue = string | number | boolean | Date | null;

export const NUMBER_FORMATS: Partial<Record<ColumnType, string>> = {
  money: '#,##0.00',
  integer: '#,##0',
  number: '#,##0.####',
  date: 'yyyy-mm-dd',
  timestamp: 'yyyy-mm-dd hh:mm:ss',
};
export const PERCENT_FORMAT = '0.0%';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
/** Excel's longest cell text; a longer one makes Excel "repair" the file. */
const MAX_CELL_TEXT = 32_767;
const NUMERIC_TEXT = /^-?\d+(\.\d+)?$/;

/**
 * A result value as an Excel cell: periods (`YYYY-MM-DD`) and timestamps as real
 * dates (UTC, as the database computed them), numbers as numbers, anything else
 * as text.
 */
export function excelValue(type: ColumnType, value: unknown): ExcelValue {
  if (value === null || value === undefined) return null;
  // NaN or Infinity would be written as text into a number cell: a corrupt file.
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value;
  const text = String(value).slice(0, MAX_CELL_TEXT);
  if (type === 'date' || type === 'timestamp') {
    const date = new Date(DATE_ONLY.test(text) ? `${text}T00:00:00Z` : text);
    return Number.isNaN(date.getTime()) ? text : date;
  }
  // A numeric column sent as text (e.g. a driver's `numeric` string) is still a number.
  if ((type === 'money' || type === 'integer' || type === 'number') && NUMERIC_TEXT.test(text)) return Number(text);
  return text;
}

/** Width in characters a text needs: a CJK character is about two Latin ones. */
export function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += ch.codePointAt(0)! > 0x2e80 ? 2 : 1;
  return width;
}

/** Column width from its header and a sample of its values, within readable bounds. */
export function columnWidth(header: string, type: ColumnType, sample: unknown[]): number {
  const typical: Record<ColumnType, number> = { money: 14, integer: 10, number: 12, date: 12, timestamp: 20, boolean: 8, string: 12 };
  let width = Math.max(textWidth(header) + 2, typical[type]);
  for (const value of sample) {
    if (typeof value === 'string') width = Math.max(width, textWidth(value) + 2);
    else if (typeof value === 'number' && type !== 'date') width = Math.max(width, String(Math.trunc(value)).length * 1.35 + 5);
  }
  return Math.min(Math.ceil(width), 60);
}

export const HEADER_STYLE: Partial<ExcelJS.Style> = {
  font: { bold: true, color: { argb: 'FF1F2937' } },
  fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } },
  alignment: { vertical: 'middle', horizontal: 'center', wrapText: true },
  border: { bottom: { style: 'thin', color: { argb: 'FF9CA3AF' } } },
};

/** Style the header cells of a row (only the cells that exist, 1…count). */
export function styleHeader(row: ExcelJS.Row, count: number): void {
  for (let c = 1; c <= count; c++) row.getCell(c).style = HEADER_STYLE;
}

/** Let the zip stream catch up: the streaming writer buffers whatever is written between turns of the event loop. */
export function yieldToStream(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * One side of bench/reports' Excel export, alone in its process so its peak RSS
 * (`process.resourceUsage().maxRSS`) is its own:
 *   node --import tsx bench/reports-xlsx-child.ts ours|peer|rows <orders> <seed> <file>
 * ours: writeXlsxTable (lib/reports/exports) to the file; peer: exceljs's
 * streaming WorkbookWriter used directly, the same styling by hand; rows: only
 * makes the rows (the generator's share of both). Prints one JSON line.
 */
import { createWriteStream, statSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import type { Column, Row } from '../lib/analytics/types.ts';
import { loadOurXlsx } from './reports-ours.ts';
import { XLSX_COLUMNS, xlsxRows } from './reports-xlsx-rows.ts';

const [mode, ordersArg, seed, file] = process.argv.slice(2);
const orders = Number(ordersArg);

/**
 * The peer: exceljs's streaming writer used directly, by hand, for the same sheet
 * as ours (bold filled header, frozen, autofilter, widths, number and date
 * formats, timestamps as dates), the loop as exceljs's documentation shows it.
 */
async function peerXlsx(columns: Column[], rows: Iterable<Row>, out: NodeJS.WritableStream): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out as never, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet('数据', { views: [{ state: 'frozen', xSplit: 0, ySplit: 1, activeCell: 'A2' }] });
  const numFmt: Partial<Record<Column['type'], string>> = { money: '#,##0.00', integer: '#,##0', number: '#,##0.####', date: 'yyyy-mm-dd', timestamp: 'yyyy-mm-dd hh:mm:ss' };
  sheet.columns = columns.map((c) => ({ key: c.name, width: ({ timestamp: 20, money: 14, integer: 10 } as Partial<Record<Column['type'], number>>)[c.type] ?? 12, style: numFmt[c.type] ? { numFmt: numFmt[c.type] } : {} }));
  const header = sheet.addRow(columns.map((c) => c.name));
  for (let i = 1; i <= columns.length; i++) {
    header.getCell(i).style = {
      font: { bold: true, color: { argb: 'FF1F2937' } },
      fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } },
      alignment: { vertical: 'middle', horizontal: 'center', wrapText: true },
      border: { bottom: { style: 'thin', color: { argb: 'FF9CA3AF' } } },
    };
  }
  header.commit();
  let count = 0;
  for (const row of rows) {
    // Timestamps as Excel dates, not text, so they sort and filter as dates.
    sheet.addRow(columns.map((c) => (c.type === 'timestamp' && typeof row[c.name] === 'string' ? new Date(row[c.name] as string) : row[c.name]))).commit();
    count++;
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: count + 1, column: columns.length } };
  sheet.commit();
  await workbook.commit();
}

// Ours is imported before the clock starts: loading its module (and pdfkit beside it) is not writing.
const writeXlsxTable = mode === 'ours' ? await loadOurXlsx() : null;
if (typeof writeXlsxTable === 'string') throw new Error(writeXlsxTable);
const started = performance.now();
let count = 0;
const rows = (function* () {
  for (const row of xlsxRows(orders, seed!)) {
    count++;
    yield row;
  }
})();
if (mode === 'rows') {
  for (const row of rows) void row;
} else {
  const out = createWriteStream(file!);
  if (mode === 'ours') {
    await writeXlsxTable!(XLSX_COLUMNS, rows, out);
  } else if (mode === 'peer') {
    await peerXlsx(XLSX_COLUMNS, rows, out);
  } else throw new Error(`mode ${mode}: ours, peer or rows`);
  // Either writer may or may not end the stream; the file counts once it is all on disk.
  if (!out.writableEnded) out.end();
  await finished(out);
}
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ mode, rows: count, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024, bytes: mode === 'rows' ? 0 : statSync(file!).size }));

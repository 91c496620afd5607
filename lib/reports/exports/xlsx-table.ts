import ExcelJS from 'exceljs';
import type { Column, Row } from '../../analytics/types.ts';
import { outputDone } from './output.ts';
import { columnWidth, excelValue, NUMBER_FORMATS, styleHeader, yieldToStream } from './xlsx-cells.ts';

export interface XlsxTableOptions {
  /** Sheet name; default "数据". */
  sheetName?: string;
  /** Header text per column name; default the name itself. */
  labels?: Record<string, string>;
}

/** Rows written between two turns of the event loop (see yieldToStream). */
const ROWS_PER_TURN = 2_000;
/** Rows looked at to size the columns, when the rows are an array. */
const WIDTH_SAMPLE = 200;

/**
 * Adds a styled table sheet to a streaming workbook and streams the rows into it:
 * bold filled header, frozen below the header, an autofilter over the whole
 * table, and a number or date format per column type. Rows are committed as they
 * come, so memory stays bounded however many there are. Returns the row count.
 */
export async function addTableSheet(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  columns: Column[],
  rows: Iterable<Row> | AsyncIterable<Row>,
  options: XlsxTableOptions = {},
): Promise<number> {
  const headers = columns.map((c) => options.labels?.[c.name] ?? c.name);
  const sheet = workbook.addWorksheet(options.sheetName ?? '数据', {
    views: [{ state: 'frozen', xSplit: 0, ySplit: 1, activeCell: 'A2' }],
  });
  // Column styles are inherited by every cell created under them: one numFmt per column, not per cell.
  const sample = Array.isArray(rows) ? (rows as Row[]).slice(0, WIDTH_SAMPLE) : [];
  sheet.columns = columns.map((c, i) => ({
    key: c.name,
    width: columnWidth(headers[i]!, c.type, sample.map((r) => r[c.name])),
    style: NUMBER_FORMATS[c.type] ? { numFmt: NUMBER_FORMATS[c.type] } : {},
  }));
  const header = sheet.addRow(headers);
  styleHeader(header, headers.length);
  header.commit();

  const write = (row: Row) => sheet.addRow(columns.map((c) => excelValue(c.type, row[c.name]))).commit();
  let count = 0;
  if (Symbol.asyncIterator in rows) {
    for await (const row of rows) {
      write(row);
      if (++count % ROWS_PER_TURN === 0) await yieldToStream();
    }
  } else {
    // A plain loop for plain rows: `for await` over them would cost a promise per row.
    for (const row of rows) {
      write(row);
      if (++count % ROWS_PER_TURN === 0) await yieldToStream();
    }
  }
  if (columns.length > 0) sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: count + 1, column: columns.length } };
  sheet.commit();
  return count;
}

/**
 * Streams one styled sheet of any number of rows to `out` as an xlsx file
 * (exceljs's streaming writer, inline strings: no shared-string table held in
 * memory). Resolves once `out` has finished; returns the data row count.
 */
export async function writeXlsxTable(
  columns: Column[],
  rows: Iterable<Row> | AsyncIterable<Row>,
  out: NodeJS.WritableStream,
  options: XlsxTableOptions = {},
): Promise<number> {
  const done = outputDone(out);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out as never, useStyles: true, useSharedStrings: false });
  // exceljs waits for `out` to finish and never hears of an early close: `done` does.
  const [count] = await Promise.all([
    (async () => {
      const written = await addTableSheet(workbook, columns, rows, options);
      await workbook.commit();
      return written;
    })(),
    done,
  ]);
  return count;
}

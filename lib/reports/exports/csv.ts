import type { Column, Row } from '../../analytics/types.ts';
import { outputDone, writeText } from './output.ts';

/**
 * CSV of a result: UTF-8 with a byte-order mark (without it Excel reads the file
 * in the system's code page and garbles Chinese), RFC 4180 quoting, CRLF line
 * ends, one header line of column names. Money is written with two decimals.
 */

const BOM = '\uFEFF';
/** Characters a spreadsheet may take as the start of a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;
/** Bytes gathered before one write to `out`. */
const CHUNK = 64 * 1024;

/**
 * A text as a CSV field: a leading formula character gets an apostrophe first,
 * so `=HYPERLINK(...)` or `-2+3` opens as text; then RFC 4180 quoting.
 * Numbers never pass through here, so -12.5 in a money column stays a number.
 */
export function csvText(text: string): string {
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const NUMERIC_TYPES = new Set(['money', 'integer', 'number']);
const NUMERIC_TEXT = /^-?\d+(\.\d+)?$/;

export function csvField(column: Pick<Column, 'type'>, value: unknown): string {
  if (value === null || value === undefined) return '';
  // A number a driver sent as text (`numeric`) is still a number, not a formula start.
  if (typeof value === 'string' && NUMERIC_TYPES.has(column.type) && NUMERIC_TEXT.test(value)) value = Number(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '';
    return column.type === 'money' ? value.toFixed(2) : String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return csvText(String(value));
}

/** Streams the rows as CSV to `out` and ends it. */
export async function writeCsv(columns: Column[], rows: Iterable<Row> | AsyncIterable<Row>, out: NodeJS.WritableStream): Promise<void> {
  const done = outputDone(out);
  let buffer = BOM + columns.map((c) => csvText(c.name)).join(',') + '\r\n';
  for await (const row of rows) {
    buffer += columns.map((c) => csvField(c, row[c.name])).join(',') + '\r\n';
    if (buffer.length >= CHUNK) {
      await writeText(out, buffer, done);
      buffer = '';
    }
  }
  if (buffer) await writeText(out, buffer, done);
  out.end();
  await done;
}

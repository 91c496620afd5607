/**
 * Reading an import file: a CSV whose header row names the columns (any order,
 * any subset that holds the required ones), read as a stream in batches of typed
 * rows. The same file always splits into the same batches, which is what lets an
 * import resume at a batch number after a crash.
 */
import type { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import type { Queryable } from '../db/index.ts';
import { readCell } from './csv-values.ts';
import { referencedKey, TABLE_SPECS, type ErpTable } from './tables.ts';

/** One thing wrong with a file. `row` counts records with the header as row 1; `column` names the column, or `(header)`, `(row)`, `(file)`. */
export interface ImportError {
  row: number;
  column: string;
  detail: string;
}

/** A bad file reports at most this many errors; reading stops there. */
export const MAX_IMPORT_ERRORS = 100;

export interface CsvBatch {
  /** 0-based, in file order. */
  index: number;
  /** Catalog column names, in the header's order. */
  columns: string[];
  rows: (string | number | null)[][];
  /** The file row of each of `rows`. */
  rowNumbers: number[];
}

/** Header names are matched without case or surrounding space; anything else is refused by name. */
function readHeader(table: ErpTable, record: string[], errors: ImportError[]): string[] {
  const spec = TABLE_SPECS[table];
  const columns = record.map((name) => name.trim().toLowerCase());
  const known = Object.keys(spec.columns);
  columns.forEach((name, i) => {
    if (!spec.columns[name]) errors.push({ row: 1, column: record[i]!.slice(0, 64) || `(column ${i + 1})`, detail: `not a column of ${table}; its columns are ${known.join(', ')}` });
    else if (columns.indexOf(name) !== i) errors.push({ row: 1, column: name, detail: 'named twice in the header' });
  });
  for (const [name, column] of Object.entries(spec.columns)) {
    if (column.required && !columns.includes(name)) errors.push({ row: 1, column: name, detail: 'required column missing from the header' });
  }
  return columns;
}

/**
 * The file's rows in batches of `batchRows`. A row that cannot be read is left out
 * and reported in `errors`; reading stops once `errors` holds MAX_IMPORT_ERRORS.
 */
export async function* csvBatches(source: Readable, table: ErpTable, batchRows: number, errors: ImportError[]): AsyncGenerator<CsvBatch> {
  const spec = TABLE_SPECS[table];
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 1024 * 1024 });
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  let columns: string[] | undefined;
  let row = 0;
  let batch: CsvBatch | undefined;
  let index = 0;
  const full = () => errors.length >= MAX_IMPORT_ERRORS;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      row++;
      if (!columns) {
        columns = readHeader(table, record, errors);
        if (errors.length) return;
        continue;
      }
      if (record.length !== columns.length) {
        errors.push({ row, column: '(row)', detail: `expected ${columns.length} fields as in the header, found ${record.length}` });
        if (full()) return;
        continue;
      }
      const values: (string | number | null)[] = [];
      let bad = false;
      for (let i = 0; i < columns.length; i++) {
        const cell = readCell(spec.columns[columns[i]!]!, record[i]!);
        if ('error' in cell) {
          bad = true;
          errors.push({ row, column: columns[i]!, detail: cell.error });
          if (full()) return;
        } else values.push(cell.value);
      }
      if (bad) continue;
      batch ??= { index: index++, columns, rows: [], rowNumbers: [] };
      batch.rows.push(values);
      batch.rowNumbers.push(row);
      if (batch.rows.length >= batchRows) {
        yield batch;
        batch = undefined;
      }
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    errors.push({ row: row + 1, column: '(file)', detail: `not readable as CSV: ${error.message}` });
    return;
  } finally {
    source.unpipe(parser);
    source.destroy();
  }
  if (!columns) {
    errors.push({ row: 1, column: '(header)', detail: 'the file is empty: its first row must name the columns' });
    return;
  }
  if (batch) yield batch;
}

/** Rows whose references (an order's customer and product) exist nowhere: reported, the batch otherwise fine. */
async function checkReferences(db: Queryable, table: ErpTable, batch: CsvBatch, errors: ImportError[]): Promise<void> {
  for (const [column, spec] of Object.entries(TABLE_SPECS[table].columns)) {
    if (!spec.references) continue;
    const at = batch.columns.indexOf(column);
    if (at < 0) continue;
    const wanted = [...new Set(batch.rows.map((r) => r[at]).filter((v): v is string => typeof v === 'string'))];
    // Names from the catalog; the values are bound.
    const { rows } = await db.query<{ key: string }>(
      `select ${referencedKey(spec.references)} as key from ${spec.references} where ${referencedKey(spec.references)} = any($1::text[])`,
      [wanted],
    );
    const found = new Set(rows.map((r) => r.key));
    batch.rows.forEach((r, i) => {
      if (errors.length < MAX_IMPORT_ERRORS && typeof r[at] === 'string' && !found.has(r[at])) {
        errors.push({ row: batch.rowNumbers[i]!, column, detail: `no ${spec.references === 'customers' ? 'customer' : 'product'} ${String(r[at]).slice(0, 64)}` });
      }
    });
  }
}

export interface Validation {
  /** Data rows read (all of them, when the file is good). */
  rows: number;
  batches: number;
  errors: ImportError[];
}

/** Reads the whole file once: every cell, the header, and the references, without writing anything. */
export async function validateCsv(
  db: Queryable,
  source: Readable,
  table: ErpTable,
  batchRows: number,
  onBatch: (rows: number) => void = () => {},
): Promise<Validation> {
  const errors: ImportError[] = [];
  let rows = 0;
  let batches = 0;
  for await (const batch of csvBatches(source, table, batchRows, errors)) {
    await checkReferences(db, table, batch, errors);
    rows += batch.rows.length;
    batches++;
    onBatch(rows);
    if (errors.length >= MAX_IMPORT_ERRORS) break;
  }
  errors.sort((a, b) => a.row - b.row);
  return { rows, batches, errors };
}

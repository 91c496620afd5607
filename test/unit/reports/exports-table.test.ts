import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import ExcelJS from 'exceljs';
import type { Column, Row } from '../../../lib/analytics/types.ts';
import { writeXlsxTable } from '../../../lib/reports/exports/index.ts';

/**
 * writeXlsxTable streams any number of rows with bounded memory: 50k rows from
 * an async generator, peak RSS sampled while it writes, the file read back with
 * exceljs's streaming reader.
 */

const ROWS = 50_000;
const columns: Column[] = [
  { name: 'id', type: 'string', role: 'dimension' },
  { name: 'day', type: 'date', role: 'dimension' },
  { name: 'region', type: 'string', role: 'dimension' },
  { name: 'revenue', type: 'money', role: 'measure' },
  { name: 'quantity', type: 'integer', role: 'measure' },
  { name: 'share', type: 'number', role: 'measure' },
];

async function* orders(): AsyncGenerator<Row> {
  for (let i = 0; i < ROWS; i++) {
    const day = new Date(Date.UTC(2025, 0, 1) + (i % 365) * 86_400_000).toISOString().slice(0, 10);
    yield { id: `o${i}`, day, region: i % 2 ? '华东' : '华南', revenue: (i * 137) / 100, quantity: i % 17, share: (i % 1000) / 1000 };
  }
}

test(`writeXlsxTable streams ${ROWS} rows in bounded memory and they read back`, async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'exports-')), 'table.xlsx');
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  const started = performance.now();
  const count = await writeXlsxTable(columns, orders(), createWriteStream(file), { sheetName: '订单' });
  const ms = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const growthMb = (peak - before) / 2 ** 20;
  console.log(`writeXlsxTable: ${count} rows, ${statSync(file).size} bytes in ${ms.toFixed(0)} ms, peak RSS +${growthMb.toFixed(1)} MB`);
  assert.equal(count, ROWS);
  // Holding 50k rows of cells at once would cost far more; streaming stays near the zip's buffers.
  assert.ok(growthMb < 120, `RSS grew ${growthMb.toFixed(1)} MB`);

  let rows = 0;
  let last: unknown[] = [];
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {});
  for await (const sheet of reader) {
    for await (const row of sheet) {
      rows++;
      last = (row.values as unknown[]).slice(1);
    }
  }
  assert.equal(rows, ROWS + 1, 'header + every row');
  const i = ROWS - 1;
  assert.deepEqual(last.slice(0, 1), [`o${i}`]);
  assert.equal(last[3], (i * 137) / 100);
  assert.equal(last[4], i % 17);
});

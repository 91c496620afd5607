import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { csvField } from '../../../lib/reports/exports/csv.ts';
import { PDF_LIMITS, REPORT_FILES, writeReport } from '../../../lib/reports/exports/index.ts';
import { REPORT_FORMATS, type ReportContent } from '../../../lib/reports/types.ts';
import { HOSTILE, reportCharts, reportContent, sink } from './exports-fixture.ts';

/**
 * The PDF (its text extracted with pdftotext, its first page rendered with
 * pdftoppm as a test artifact), the CSV parsed back, and the JSON.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'exports-'));
const content = reportContent();

async function bytesOf(format: 'pdf' | 'csv' | 'json', report: ReportContent = content): Promise<{ bytes: Buffer; ms: number }> {
  const out = sink();
  const started = performance.now();
  await writeReport(format, report, format === 'pdf' ? reportCharts() : [], out);
  return { bytes: out.bytes(), ms: performance.now() - started };
}

describe('pdf report', async () => {
  const { bytes, ms } = await bytesOf('pdf');
  const file = path.join(dir, 'report.pdf');
  writeFileSync(file, bytes);
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  console.log(`pdf report: ${bytes.length} bytes in ${ms.toFixed(0)} ms`);

  test('is a PDF whose text has the Chinese labels and the numbers', () => {
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
    assert.equal(REPORT_FILES.pdf.contentType, 'application/pdf');
    for (const words of ['标题', '地区', '收入', '预测', '异常', '透视表', '小计', '总计', '华东', '华南', '图表', '激增', '骤降',
      '状态 等于 “paid”', '订单（orders）', 'sMAPE 4.20%', '季节性朴素基线 sMAPE 9.80%']) {
      assert.ok(text.includes(words), `PDF text lacks ${words}`);
    }
    for (const number of ['123,456.78', '0.10', '-12.50', '485,791.34', '104,321.09', '95,000.50', '113,642.25', '98,765.43']) {
      assert.ok(text.includes(number), `PDF text lacks ${number}`);
    }
    assert.ok(text.includes('=HYPERLINK("http://x","y")'), 'hostile text printed as is');
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))![1]);
    assert.match(text.replaceAll(/\s/g, ''), new RegExp(`第1页/共${pages}页`));
  });

  test('its first page renders (test-artifacts/report-first-page.png)', () => {
    const artifacts = path.join(root, 'test-artifacts');
    mkdirSync(artifacts, { recursive: true });
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', file, path.join(artifacts, 'report-first-page')]);
    const png = path.join(artifacts, 'report-first-page.png');
    assert.ok(statSync(png).size > 10_000, 'a page with text and tables, not a blank one');
  });

  test('a long, wide table repeats its header on every page and is capped', async () => {
    const wide = reportContent();
    const row = wide.data.rows[0]!;
    wide.data.rows = Array.from({ length: PDF_LIMITS.dataRows + 500 }, (_, i) => ({ ...row, customer: `客户${i}`.repeat(i % 7 === 0 ? 20 : 1) }));
    wide.data.columns = [...wide.data.columns, ...Array.from({ length: 12 }, (_, i) => ({ name: `extra_${i}`, type: 'money' as const, role: 'measure' as const }))];
    const { bytes: big, ms: bigMs } = await bytesOf('pdf', wide);
    const bigFile = path.join(dir, 'wide.pdf');
    writeFileSync(bigFile, big);
    const pages = execFileSync('pdftotext', ['-layout', bigFile, '-'], { encoding: 'utf8' }).split('\f').filter((p) => p.trim());
    console.log(`pdf of ${wide.data.rows.length} rows × ${wide.data.columns.length} columns: ${pages.length} pages, ${big.length} bytes in ${bigMs.toFixed(0)} ms`);
    const dataPages = pages.filter((p) => p.includes('客户1'));
    assert.ok(dataPages.length > 20, `${dataPages.length} data pages`);
    for (const page of dataPages.slice(1)) assert.match(page, /地区\s+月/, 'header repeated');
    assert.ok(pages.some((p) => p.includes('extra_11')), 'columns past the page width go to a second column group');
    assert.ok(pages.at(-1)!.includes('2,000') && pages.at(-1)!.includes('xlsx / csv'), 'the cap is said');
    assert.ok(pages.some((p) => p.includes('…')), 'long cells cut with …');
  });
});

test('a pdf of an empty result says so and has one page', async () => {
  const { pivot: _p, forecast: _f, anomalies: _a, ...report } = reportContent();
  const out = sink();
  await writeReport('pdf', { ...report, data: { ...report.data, rows: [] } }, [], out);
  const file = path.join(dir, 'empty.pdf');
  writeFileSync(file, out.bytes());
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  assert.ok(text.includes('行数：0') && text.includes('地区'));
  assert.match(execFileSync('pdfinfo', [file], { encoding: 'utf8' }), /Pages:\s+1\n/);
});

describe('csv report', async () => {
  const { bytes } = await bytesOf('csv');

  test('starts with a BOM, has CRLF lines and the column names', () => {
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.equal(REPORT_FILES.csv.contentType, 'text/csv; charset=utf-8');
    const text = bytes.toString('utf8');
    assert.ok(text.startsWith('\uFEFFregion,month,customer,paid_revenue,count_quantity,avg_quantity\r\n'));
  });

  test('parses back to the rows: money with cents, formula attempts behind an apostrophe, negatives as numbers', () => {
    const records = parse(bytes, { bom: true, columns: true, relax_column_count: false }) as Record<string, string>[];
    assert.equal(records.length, content.data.rows.length);
    content.data.rows.forEach((row, i) => {
      const record = records[i]!;
      assert.equal(record.region, row.region);
      assert.equal(record.month, row.month);
      assert.equal(record.paid_revenue, (row.paid_revenue as number).toFixed(2));
      assert.equal(Number(record.paid_revenue), row.paid_revenue);
      assert.equal(record.count_quantity, String(row.count_quantity));
      assert.equal(record.avg_quantity, row.avg_quantity === null ? '' : String(row.avg_quantity));
      const customer = String(row.customer);
      assert.equal(record.customer, HOSTILE.includes(customer) ? `'${customer}` : customer);
    });
    assert.equal(records.find((r) => r.customer === `'${HOSTILE[0]}`)!.paid_revenue, '-12.50');
  });

  test('a negative number stays a number even sent as text; the same text in a text column is guarded', () => {
    assert.equal(csvField({ type: 'money' }, '-12.5'), '-12.50');
    assert.equal(csvField({ type: 'integer' }, -3), '-3');
    assert.equal(csvField({ type: 'string' }, '-12.5'), "'-12.5");
    assert.equal(csvField({ type: 'string' }, 'a "quoted", text'), '"a ""quoted"", text"');
    assert.equal(csvField({ type: 'string' }, '=1,2'), `"'=1,2"`);
  });
});

describe('json report', () => {
  test('is the content without images', async () => {
    const { bytes } = await bytesOf('json');
    const json = JSON.parse(bytes.toString('utf8'));
    assert.equal(REPORT_FILES.json.extension, 'json');
    assert.deepEqual(json.rows, content.data.rows);
    assert.deepEqual(json.pivot, content.pivot);
    assert.deepEqual(json.forecast, content.forecast);
    assert.deepEqual(json.anomalies, content.anomalies);
    assert.deepEqual(json.filters, content.filters);
    assert.equal(json.columns[3].label, '收入 合计（paid_revenue）');
    assert.deepEqual(Object.keys(json).filter((k) => /chart|png|svg/i.test(k)), []);
  });
});

describe('an output that fails or closes early', () => {
  for (const format of REPORT_FORMATS) {
    test(`${format}: writeReport rejects instead of hanging`, { timeout: 20_000 }, async () => {
      const failing = new Writable({ write: (_chunk, _encoding, callback) => callback(new Error('disk full')) });
      await assert.rejects(writeReport(format, content, reportCharts(), failing), /disk full/);
      // A client that goes away before taking the first bytes: destroyed, without an error of its own.
      const closing = new Writable({
        write() {
          setImmediate(() => this.destroy());
        },
      });
      await assert.rejects(writeReport(format, content, reportCharts(), closing));
      assert.ok(closing.destroyed);
    });
  }
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { REPORT_FILES, writeReport } from '../../../lib/reports/exports/index.ts';
import { HOSTILE, reportCharts, reportContent, sink } from './exports-fixture.ts';

/**
 * The report workbook, reopened with exceljs's reader: sheets, header, frozen
 * panes, number formats, cents, outline levels, pictures, and formula
 * attempts kept as plain text.
 */

const content = reportContent();
const charts = reportCharts();
const dir = mkdtempSync(path.join(tmpdir(), 'exports-'));

async function workbookBytes(): Promise<{ bytes: Buffer; ms: number }> {
  const out = sink();
  const started = performance.now();
  await writeReport('xlsx', content, charts, out);
  return { bytes: out.bytes(), ms: performance.now() - started };
}

async function reopen(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.read(Readable.from([bytes]));
  return workbook;
}

/** XML's line-end normalization turns a stored CR into LF; the text is otherwise as written. */
const asRead = (text: string) => text.replaceAll('\r', '\n');

describe('xlsx report', async () => {
  const { bytes, ms } = await workbookBytes();
  const file = path.join(dir, 'report.xlsx');
  writeFileSync(file, bytes);
  const workbook = await reopen(bytes);
  console.log(`xlsx report: ${bytes.length} bytes in ${ms.toFixed(0)} ms`);

  test('has its sheets in order, and is served as xlsx', () => {
    assert.deepEqual(workbook.worksheets.map((s) => s.name), ['摘要', '数据', '透视表', '预测', '异常', '图表']);
    assert.equal(REPORT_FILES.xlsx.extension, 'xlsx');
    assert.equal(bytes.subarray(0, 2).toString(), 'PK');
  });

  test('the summary says title, source, filters in words and when', () => {
    const sheet = workbook.getWorksheet('摘要')!;
    const text = sheet.getSheetValues().flat().filter(Boolean).map(String).join('\n');
    for (const words of [content.title, '订单（orders）', '状态 等于 “paid”', '下单时间 介于 “2025-01-01” 和 “2025-12-31”']) {
      assert.ok(text.includes(words), `summary lacks ${words}: ${text}`);
    }
    const generated = sheet.getColumn(2).values.find((v) => v instanceof Date) as Date;
    assert.equal(generated.toISOString(), content.generatedAt);
  });

  test('the data sheet: styled frozen header, formats, exact cents, real dates', () => {
    const sheet = workbook.getWorksheet('数据')!;
    assert.deepEqual((sheet.getRow(1).values as unknown[]).slice(1), ['地区', '月', '客户', '收入 合计（paid_revenue）', '数量 计数', '数量 平均']);
    const header = sheet.getCell('A1');
    assert.equal(header.font.bold, true);
    assert.equal((header.fill as ExcelJS.FillPattern).fgColor?.argb, 'FFDDEBF7');
    assert.deepEqual(sheet.views[0], { ...sheet.views[0], state: 'frozen', xSplit: 0, ySplit: 1 });
    assert.equal(sheet.rowCount, content.data.rows.length + 1);
    assert.ok(sheet.autoFilter, 'autofilter set');
    content.data.rows.forEach((row, i) => {
      const cells = sheet.getRow(i + 2);
      assert.equal(cells.getCell(1).value, row.region);
      assert.deepEqual(cells.getCell(2).value, new Date(`${String(row.month)}T00:00:00Z`));
      assert.equal(cells.getCell(2).numFmt, 'yyyy-mm-dd');
      assert.equal(cells.getCell(4).value, row.paid_revenue, `cents of row ${i}`);
      assert.equal(cells.getCell(4).numFmt, '#,##0.00');
      assert.equal(cells.getCell(5).numFmt, '#,##0');
      assert.equal(cells.getCell(6).numFmt, '#,##0.####');
    });
    assert.equal(sheet.getCell('D2').value, 123456.78);
    assert.equal(sheet.getCell('D8').value, -12.5);
  });

  test('every formula attempt is a text cell, and no sheet has a formula', () => {
    const sheet = workbook.getWorksheet('数据')!;
    const customers = sheet.getColumn(3).values.slice(2) as unknown[];
    for (const hostile of HOSTILE) {
      const i = customers.findIndex((v) => v === asRead(hostile));
      assert.ok(i >= 0, `${JSON.stringify(hostile)} kept as typed`);
      const cell = sheet.getCell(i + 2, 3);
      assert.equal(cell.type, ExcelJS.ValueType.String);
      assert.equal(cell.formula, undefined);
    }
    for (const each of workbook.worksheets) {
      each.eachRow((row) => row.eachCell((cell) => assert.notEqual(cell.type, ExcelJS.ValueType.Formula, `${each.name}!${cell.address}`)));
    }
    // And in the raw XML: no <f> (formula) element in any sheet.
    const xml = spawnSync('unzip', ['-p', file, 'xl/worksheets/*.xml'], { encoding: 'utf8' }).stdout;
    assert.ok(xml.includes('HYPERLINK'), 'sheets read');
    assert.ok(!/<f[ >]/.test(xml), 'no formula element');
  });

  test('the pivot: two header rows, subtotals bold, details one outline level down, total last', () => {
    const sheet = workbook.getWorksheet('透视表')!;
    assert.deepEqual(sheet.views[0], { ...sheet.views[0], state: 'frozen', xSplit: 2, ySplit: 2 });
    assert.equal(sheet.getCell('C1').value, '收入 合计（paid_revenue）');
    assert.deepEqual([sheet.getCell('C2').value, sheet.getCell('D2').value, sheet.getCell('E2').value], ['企业', '个人', '总计']);
    assert.ok(sheet.getCell('C1').isMerged && sheet.getCell('E1').isMerged);
    assert.equal(sheet.getCell('F1').value, '收入 合计（paid_revenue） 占总比');
    const pivot = content.pivot!;
    pivot.rows.forEach((row, i) => {
      const cells = sheet.getRow(i + 3);
      assert.equal(cells.outlineLevel ?? 0, row.kind === 'detail' ? 1 : 0, `outline of row ${i}`);
      assert.equal(cells.getCell(3).font?.bold ?? false, row.kind !== 'detail');
      assert.deepEqual([3, 4, 5].map((c) => cells.getCell(c).value), row.cells[0]);
      assert.equal(cells.getCell(5).numFmt, '#,##0.00');
      assert.deepEqual([6, 7, 8].map((c) => cells.getCell(c).value), row.shares!.total![0]);
      assert.equal(cells.getCell(8).numFmt, '0.0%');
    });
    assert.equal(sheet.getCell(`A${pivot.rows.length + 2}`).value, '总计');
    assert.equal(sheet.getCell('B6').value, '小计');
    assert.equal(sheet.properties.outlineLevelRow, 1);
  });

  test('forecast and anomaly sheets carry the numbers and the backtest', () => {
    const forecast = workbook.getWorksheet('预测')!;
    const values = forecast.getSheetValues().flat();
    for (const p of content.forecast!.forecast) for (const v of [p.value, p.lower, p.upper]) assert.ok(values.includes(v), `forecast ${v}`);
    assert.ok(values.includes(0.042) && values.includes(0.098), 'sMAPE of model and baseline');
    const anomalies = workbook.getWorksheet('异常')!;
    const texts = anomalies.getSheetValues().flat().map(String);
    assert.ok(texts.includes('激增') && texts.includes('骤降'));
    assert.ok(texts.includes(content.anomalies!.anomalies[1]!.reason));
  });

  test('the charts sheet holds the PNGs as pictures', () => {
    const sheet = workbook.getWorksheet('图表')!;
    const images = sheet.getImages();
    assert.equal(images.length, charts.length);
    assert.deepEqual(images.map((i) => i.range.tl.nativeRow), [1, 1 + 1 + 12 + 1]);
    for (const image of images) {
      const medium = workbook.getImage(Number(image.imageId));
      assert.equal(medium.extension, 'png');
      assert.equal(Buffer.from(medium.buffer as unknown as Uint8Array).subarray(1, 4).toString(), 'PNG');
    }
    assert.equal(sheet.getCell('A1').value, '地区收入');
  });
});

describe('xlsx of smaller reports', () => {
  test('a pivot without column fields has one header row of measure totals', async () => {
    const report = reportContent();
    const pivot = report.pivot!;
    report.pivot = { ...pivot, columnFields: [], columnKeys: [], rows: pivot.rows.map((r) => ({ ...r, cells: [[r.cells[0]!.at(-1)!]], shares: undefined })) };
    const out = sink();
    await writeReport('xlsx', report, [], out);
    const sheet = (await reopen(out.bytes())).getWorksheet('透视表')!;
    assert.deepEqual((sheet.getRow(1).values as unknown[]).slice(1), ['地区', '月', '收入 合计（paid_revenue）']);
    assert.deepEqual(sheet.views[0], { ...sheet.views[0], state: 'frozen', xSplit: 2, ySplit: 1 });
    assert.deepEqual(sheet.getColumn(3).values.slice(2), pivot.rows.map((r) => r.cells[0]!.at(-1)));
  });

  test('a report of data alone has the summary and the data sheet', async () => {
    const { pivot: _p, forecast: _f, anomalies: _a, ...report } = reportContent();
    const out = sink();
    await writeReport('xlsx', { ...report, data: { ...report.data, rows: [], truncated: true } }, [], out);
    const workbook = await reopen(out.bytes());
    assert.deepEqual(workbook.worksheets.map((s) => s.name), ['摘要', '数据']);
    assert.equal(workbook.getWorksheet('数据')!.rowCount, 1);
  });
});

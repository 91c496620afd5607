import type ExcelJS from 'exceljs';
import type { Column, PivotResult, PivotRow } from '../../analytics/types.ts';
import { keyWords, SHARE_LABELS, WORDS } from './labels.ts';
import { columnWidth, excelValue, HEADER_STYLE, NUMBER_FORMATS, PERCENT_FORMAT, yieldToStream } from './xlsx-cells.ts';

/**
 * The pivot sheet: row fields down the left, then one block of columns per
 * measure (and per requested share), each block one column per column key plus
 * the row's total. With column fields the header has two rows (block name over
 * the column keys, merged). Subtotal rows are bold; detail rows sit one outline
 * level deeper than the subtotal that follows them (Excel's default "summary
 * below detail"), so the outline buttons collapse a group to its subtotal.
 */

interface Block {
  label: string;
  format: string;
  value(row: PivotRow, c: number): number | null | undefined;
}

function blocks(pivot: PivotResult, label: (column: Column) => string): Block[] {
  const out: Block[] = pivot.measures.map((m, i) => ({
    label: label(m),
    format: NUMBER_FORMATS[m.type] ?? NUMBER_FORMATS.number!,
    value: (row, c) => row.cells[i]?.[c],
  }));
  for (const kind of ['row', 'column', 'total'] as const) {
    if (!pivot.rows.some((r) => r.shares?.[kind])) continue;
    pivot.measures.forEach((m, i) => out.push({
      label: `${label(m)} ${SHARE_LABELS[kind]}`,
      format: PERCENT_FORMAT,
      value: (row, c) => row.shares?.[kind]?.[i]?.[c],
    }));
  }
  return out;
}

/** Outline level of a row: detail deepest, each subtotal one above the rows it sums. */
function outlineLevel(pivot: PivotResult, row: PivotRow): number {
  if (row.kind === 'total') return 0;
  const depth = row.kind === 'detail' ? pivot.rowFields.length : row.depth;
  return Math.max(0, depth - 1);
}

export async function addPivotSheet(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  pivot: PivotResult,
  label: (column: Column) => string,
): Promise<void> {
  const nRow = pivot.rowFields.length;
  const twoLevels = pivot.columnFields.length > 0;
  // Without column fields only the row total exists; whatever columnKeys holds is not shown.
  const keys = twoLevels ? pivot.columnKeys : [];
  const columnIndexes = [...keys.map((_, c) => c), pivot.columnKeys.length];
  const keyHeaders = [...keys.map(keyWords), WORDS.total];
  const groups = blocks(pivot, label);
  const headerRows = twoLevels ? 2 : 1;
  const maxLevel = Math.max(0, ...pivot.rows.map((r) => outlineLevel(pivot, r)));

  const sheet = workbook.addWorksheet(WORDS.pivot, {
    views: [{ state: 'frozen', xSplit: nRow, ySplit: headerRows }],
    properties: { outlineLevelRow: maxLevel },
  });
  sheet.columns = [
    ...pivot.rowFields.map((f, i) => ({
      width: columnWidth(label(f), f.type, pivot.rows.slice(0, 200).map((r) => r.key[i])),
      style: NUMBER_FORMATS[f.type] ? { numFmt: NUMBER_FORMATS[f.type] } : {},
    })),
    ...groups.flatMap((g) => keyHeaders.map((h) => ({ width: columnWidth(twoLevels ? h : g.label, 'money', []), style: { numFmt: g.format } }))),
  ];

  const rowFieldLabels = pivot.rowFields.map(label);
  if (twoLevels) {
    const top = sheet.addRow([...rowFieldLabels, ...groups.flatMap((g) => keyHeaders.map(() => g.label))]);
    const second = sheet.addRow([...rowFieldLabels, ...groups.flatMap(() => keyHeaders)]);
    for (const row of [top, second]) row.eachCell({ includeEmpty: true }, (cell) => { cell.style = HEADER_STYLE; });
    groups.forEach((_, g) => {
      const from = nRow + g * keyHeaders.length + 1;
      sheet.mergeCells(1, from, 1, from + keyHeaders.length - 1);
    });
    for (let c = 1; c <= nRow; c++) sheet.mergeCells(1, c, 2, c);
    top.commit();
    second.commit();
  } else {
    const header = sheet.addRow([...rowFieldLabels, ...groups.map((g) => g.label)]);
    header.eachCell({ includeEmpty: true }, (cell) => { cell.style = HEADER_STYLE; });
    header.commit();
  }

  let written = 0;
  for (const row of pivot.rows) {
    const keyCells = pivot.rowFields.map((f, i) => {
      if (row.kind === 'total') return i === 0 ? WORDS.total : null;
      if (row.kind === 'subtotal' && i >= row.depth) return i === row.depth ? WORDS.subtotal : null;
      return excelValue(f.type, row.key[i]);
    });
    const values = groups.flatMap((g) => columnIndexes.map((c) => excelValue('number', g.value(row, c))));
    const excelRow = sheet.addRow([...keyCells, ...values]);
    excelRow.outlineLevel = outlineLevel(pivot, row);
    if (row.kind !== 'detail') excelRow.font = { bold: true };
    if (row.kind === 'total') excelRow.border = { top: { style: 'thin' } };
    excelRow.commit();
    if (++written % 2_000 === 0) await yieldToStream();
  }
  sheet.commit();
}

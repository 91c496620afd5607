import type PDFDocument from 'pdfkit';

/**
 * A table drawn on PDF pages: a filled header row repeated at the top of every
 * page the table runs onto, numbers right-aligned, bold rows for subtotals, and
 * each cell cut to its column with "…" (a cell never wraps, so rows stay one
 * line and the page breaks are predictable). A table wider than the page first
 * gets a smaller font, then is split into column groups that each repeat the
 * leading key columns, one after another.
 */

export const FONT = 'cjk';
export const FONT_BOLD = 'cjk-bold';

export interface PdfColumn {
  header: string;
  align: 'left' | 'right';
}
export interface PdfRow {
  cells: string[];
  bold?: boolean;
}

const FONT_SIZE = 8.5;
const MIN_FONT_SIZE = 6.5;
const PAD = 3;
/** Widest a column gets before its cells are cut, at the base font size. */
const MAX_COLUMN = 170;
const SAMPLE = 300;

type Doc = InstanceType<typeof PDFDocument>;

/** `text` cut to `width` points, ending in "…" when cut. */
export function fitText(doc: Doc, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  const chars = Array.from(text);
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (doc.widthOfString(chars.slice(0, mid).join('') + '…') <= width) lo = mid;
    else hi = mid - 1;
  }
  return chars.slice(0, lo).join('') + '…';
}

function naturalWidths(doc: Doc, columns: PdfColumn[], rows: PdfRow[]): number[] {
  doc.font(FONT_BOLD).fontSize(FONT_SIZE);
  const widths = columns.map((c) => doc.widthOfString(c.header));
  for (const row of rows.slice(0, SAMPLE)) {
    // Bold glyphs are wider: a subtotal is measured in the font it is drawn in.
    doc.font(row.bold ? FONT_BOLD : FONT);
    row.cells.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, doc.widthOfString(cell)); });
  }
  return widths.map((w) => Math.min(MAX_COLUMN, Math.max(24, w + 2 * PAD + 1)));
}

/** Column groups that fit `avail`: each repeats the first `keep` columns. */
function columnGroups(widths: number[], keep: number, avail: number): number[][] {
  const lead = [...Array(Math.min(keep, widths.length)).keys()];
  const leadWidth = lead.reduce((s, i) => s + widths[i]!, 0);
  const groups: number[][] = [];
  let current: number[] = [];
  let used = leadWidth;
  for (let i = lead.length; i < widths.length; i++) {
    if (current.length > 0 && used + widths[i]! > avail) {
      groups.push([...lead, ...current]);
      current = [];
      used = leadWidth;
    }
    current.push(i);
    used += widths[i]!;
  }
  if (current.length > 0 || groups.length === 0) groups.push([...lead, ...current]);
  return groups;
}

function bottom(doc: Doc): number {
  return doc.page.height - doc.page.margins.bottom;
}

function drawRow(doc: Doc, cells: string[], columns: PdfColumn[], widths: number[], y: number, size: number, header: boolean, bold: boolean): void {
  const height = size * 1.9;
  const left = doc.page.margins.left;
  const total = widths.reduce((s, w) => s + w, 0);
  if (header) doc.rect(left, y, total, height).fill('#DDEBF7');
  doc.fillColor('#111827').font(header || bold ? FONT_BOLD : FONT).fontSize(size);
  let x = left;
  cells.forEach((cell, i) => {
    const width = widths[i]!;
    const text = fitText(doc, cell, width - 2 * PAD);
    const textX = columns[i]!.align === 'right' ? x + width - PAD - doc.widthOfString(text) : x + PAD;
    doc.text(text, textX, y + (height - size) / 2 - size * 0.15, { lineBreak: false });
    x += width;
  });
  doc.moveTo(left, y + height).lineTo(left + total, y + height).lineWidth(0.3).strokeColor('#D1D5DB').stroke();
}

/**
 * Draws the table from `doc.y` on, adding pages as needed, and leaves `doc.y`
 * under it. `keep`: leading columns repeated in every column group.
 */
export function drawTable(doc: Doc, columns: PdfColumn[], rows: PdfRow[], keep = 1): void {
  const left = doc.page.margins.left;
  const avail = doc.page.width - left - doc.page.margins.right;
  let widths = naturalWidths(doc, columns, rows);
  let size = FONT_SIZE;
  const natural = widths.reduce((s, w) => s + w, 0);
  if (natural > avail) {
    // Text width scales with the font size: shrink as far as readable, then split.
    size = Math.max(MIN_FONT_SIZE, (FONT_SIZE * avail) / natural);
    widths = widths.map((w) => (w * size) / FONT_SIZE);
  }
  const groups = columnGroups(widths, keep, avail);
  const height = size * 1.9;
  for (const group of groups) {
    const groupColumns = group.map((i) => columns[i]!);
    // A table over half the page is stretched to span it; a narrow one keeps its natural widths.
    const used = group.reduce((s, i) => s + widths[i]!, 0);
    const stretch = used >= avail / 2 ? avail / used : 1;
    const groupWidths = group.map((i) => widths[i]! * stretch);
    if (doc.y + 2 * height > bottom(doc)) doc.addPage();
    let y = doc.y;
    drawRow(doc, groupColumns.map((c) => c.header), groupColumns, groupWidths, y, size, true, false);
    y += height;
    for (const row of rows) {
      if (y + height > bottom(doc)) {
        doc.addPage();
        y = doc.page.margins.top;
        drawRow(doc, groupColumns.map((c) => c.header), groupColumns, groupWidths, y, size, true, false);
        y += height;
      }
      drawRow(doc, group.map((i) => row.cells[i] ?? ''), groupColumns, groupWidths, y, size, false, row.bold ?? false);
      y += height;
    }
    doc.x = left;
    doc.y = y + 10;
  }
}

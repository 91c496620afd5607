/**
 * HTML to text that keeps the structure the chunker needs: headings become
 * Markdown `#` lines, blocks are separated by blank lines, table rows stay on
 * one line. Scripts, styles and other non-content elements are dropped.
 */
import { compile, convert, type DomNode, type FormatCallback, type HtmlToTextOptions } from 'html-to-text';
import { decodeWith, detectEncoding } from '../encoding.ts';
import type { ExtractLimits, ExtractedText } from '../types.ts';
import { asCorrupt, readDocumentBytes } from './read.ts';

/** The HTML standard's prescan reads the first 1024 bytes; pages in the wild put <meta> a little later. */
const CHARSET_SCAN_BYTES = 4096;
/** <title> lives in <head>; searching further only costs time on hostile input. */
const TITLE_SCAN_CHARS = 64 * 1024;
/** Deeper nesting is dropped instead of recursing until the stack overflows. */
const MAX_DEPTH = 256;

export function declaredCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, CHARSET_SCAN_BYTES)).toString('latin1');
  return /<meta\b[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)?.[1];
}

const markdownHeading: FormatCallback = (elem, walk, builder, options) => {
  const level = Number((options as { level?: number }).level ?? 1);
  builder.openBlock({ leadingLineBreaks: 2 });
  builder.addLiteral(`${'#'.repeat(level)} `);
  walk(elem.children, builder);
  builder.closeBlock({ trailingLineBreaks: 2 });
};

/** One table row per line, cells separated by " | ", so a row stays one sentence for the chunker. */
const tableRowLine: FormatCallback = (elem, walk, builder) => {
  builder.openBlock({ leadingLineBreaks: 1 });
  let first = true;
  for (const cell of elem.children) {
    if (cell.type !== 'tag') continue;
    if (!first) builder.addInline(' | ');
    walk([cell], builder);
    first = false;
  }
  builder.closeBlock({ trailingLineBreaks: 1 });
};

function isInTableCell(elem: DomNode): boolean {
  for (let node = elem.parent; node; node = node.parent) {
    if (node.name === 'td' || node.name === 'th') return true;
    if (node.name === 'table') return false;
  }
  return false;
}

/**
 * A paragraph is a block, except inside a table cell (mammoth writes
 * <td><p>…</p></td>), where it flows inline so the row stays on one line.
 * (html-to-text selectors cannot say "td p": no combinators.)
 */
const paragraph: FormatCallback = (elem, walk, builder) => {
  if (isInTableCell(elem)) {
    builder.addInline(' ');
    walk(elem.children, builder);
    return;
  }
  builder.openBlock({ leadingLineBreaks: 2 });
  walk(elem.children, builder);
  builder.closeBlock({ trailingLineBreaks: 2 });
};

const skip = (selector: string) => ({ selector, format: 'skip' });

const OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  decodeEntities: true,
  limits: { maxInputLength: Number.MAX_SAFE_INTEGER, maxDepth: MAX_DEPTH, ellipsis: '' },
  formatters: { markdownHeading, tableRowLine, paragraph },
  selectors: [
    ...['head', 'script', 'style', 'noscript', 'template', 'svg', 'canvas', 'iframe', 'object', 'img', 'button', 'select'].map(skip),
    { selector: 'a', options: { ignoreHref: true } },
    ...[1, 2, 3, 4, 5, 6].map((level) => ({ selector: `h${level}`, format: 'markdownHeading', options: { level } })),
    { selector: 'ul', options: { itemPrefix: '- ' } },
    { selector: 'hr', format: 'blockString', options: { string: '' } },
    { selector: 'table', format: 'block' },
    { selector: 'tr', format: 'tableRowLine' },
    { selector: 'td', format: 'inline' },
    { selector: 'th', format: 'inline' },
    { selector: 'p', format: 'paragraph' },
  ],
};

const toStructuredText = compile(OPTIONS);
const TITLE_OPTIONS: HtmlToTextOptions = { wordwrap: false, decodeEntities: true };

function titleOf(html: string, text: string): string | undefined {
  const element = /<title\b[^>]*>([^<]*)<\/title>/i.exec(html.slice(0, TITLE_SCAN_CHARS));
  const fromTitle = element?.[1] ? convert(element[1], TITLE_OPTIONS).trim() : '';
  if (fromTitle) return fromTitle;
  return /^# (.+)$/m.exec(text)?.[1]?.trim() || undefined;
}

/** Converts an HTML string; shared with the docx extractor, which goes through mammoth's HTML. */
export function htmlToStructuredText(html: string): ExtractedText {
  try {
    const text = toStructuredText(html);
    return { text, title: titleOf(html, text) };
  } catch (error) {
    throw asCorrupt(error, 'HTML document');
  }
}

export async function extractHtml(filePath: string, limits: ExtractLimits): Promise<ExtractedText> {
  const bytes = await readDocumentBytes(filePath, limits);
  const declared = declaredCharset(bytes);
  const html = decodeWith(bytes, detectEncoding(bytes, declared ? { declared } : {}));
  return htmlToStructuredText(html);
}

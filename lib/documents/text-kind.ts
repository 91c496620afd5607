/**
 * Tells HTML, Markdown and plain text apart once bytes are known to be text,
 * and recognises text-based formats we do not ingest.
 */
import { DocumentRejectedError } from '../errors.ts';
import type { DocumentType } from './types.ts';

/** How much of the text is looked at: structure shows near the top. */
const LOOK_CHARS = 16 * 1024;

const MARKDOWN_EXTENSIONS = /\.(md|markdown|mdown|mkdn?|mdx)$/i;
const TEXT_EXTENSIONS = /\.(txt|text)$/i;

/** Text formats that decode cleanly but are data or markup we cannot turn into prose. */
const UNSUPPORTED_TEXT_FORMATS: ReadonlyArray<[RegExp, string]> = [
  [/^\{\\rtf/, 'RTF'],
  [/^<svg[\s>]/i, 'SVG image'],
  [/^%!PS/, 'PostScript'],
  [/^BEGIN:(VCARD|VCALENDAR)/, 'vCard/iCalendar'],
  [/^-----BEGIN PGP/, 'PGP data'],
];

/** Drops what may precede the root element: XML declaration, comments, whitespace. */
function skipProlog(text: string): { rest: string; hadXmlDeclaration: boolean } {
  let rest = text.slice(0, LOOK_CHARS).replace(/^\uFEFF/, '').trimStart();
  let hadXmlDeclaration = false;
  for (;;) {
    const declaration = /^<\?xml[^>]*\?>/i.exec(rest);
    const comment = /^<!--[\s\S]*?-->/.exec(rest);
    const match = declaration ?? comment;
    if (!match) return { rest, hadXmlDeclaration };
    if (declaration) hadXmlDeclaration = true;
    rest = rest.slice(match[0].length).trimStart();
  }
}

const STRONG_HTML = /^(<!doctype\s+html|<(html|head|body)[\s>])/i;
const WEAK_HTML = /^<(title|meta|link|base|div|p|h[1-6]|table|section|article|main|header|nav|ul|ol|span|form|style|script)[\s>/]/i;

/**
 * Markdown structure counted over the first lines. One `#` line is not enough
 * (shell comments, hashtags); two headings, a heading plus other structure, or
 * a fenced block are.
 */
export function looksLikeMarkdown(text: string): boolean {
  const lines = text.slice(0, LOOK_CHARS).split('\n', 400);
  let headings = 0;
  let fences = 0;
  let other = 0;
  let previousText = false;
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (/^ {0,3}#{1,6}[ \t]+\S/.test(line)) headings++;
    else if (/^ {0,3}(```|~~~)/.test(line)) fences++;
    else if (previousText && /^ {0,3}(=+|-{2,})[ \t]*$/.test(line)) headings++;
    else if (/^ {0,3}([-*+]|\d{1,9}[.)])[ \t]+\S/.test(line)) other++;
    else if (/^ {0,3}>/.test(line) || /^\s*\|.*\|\s*$/.test(line)) other++;
    if (/\[[^\]\n]+\]\([^)\s]+\)|\*\*[^*\n]+\*\*|`[^`\n]+`/.test(line)) other++;
    previousText = line.trim() !== '' && !/^ {0,3}#/.test(line);
  }
  return headings >= 2 || (headings >= 1 && other >= 2) || fences >= 2;
}

/**
 * Decides html, md or txt for decoded text. A `filenameHint` may only choose
 * between Markdown and plain text (and overrule a weak HTML guess such as a
 * README that opens with `<p align="center">`); it never makes bytes text.
 */
export function classifyText(text: string, filenameHint?: string): DocumentType {
  const { rest, hadXmlDeclaration } = skipProlog(text);
  for (const [pattern, name] of UNSUPPORTED_TEXT_FORMATS) {
    if (pattern.test(rest)) throw new DocumentRejectedError('E_UNSUPPORTED_TYPE', `${name} is not a supported document type`);
  }
  if (STRONG_HTML.test(rest)) return 'html';
  if (hadXmlDeclaration || rest.startsWith('<?xml')) {
    throw new DocumentRejectedError('E_UNSUPPORTED_TYPE', 'XML other than XHTML is not a supported document type');
  }
  const hintedMarkdown = filenameHint !== undefined && MARKDOWN_EXTENSIONS.test(filenameHint);
  const hintedText = filenameHint !== undefined && TEXT_EXTENSIONS.test(filenameHint);
  if (WEAK_HTML.test(rest) && /<\/[a-z][a-z0-9]*\s*>/i.test(rest) && !hintedMarkdown && !hintedText) {
    if (!looksLikeMarkdown(text)) return 'html';
  }
  if (hintedMarkdown) return 'md';
  if (hintedText) return 'txt';
  return looksLikeMarkdown(text) ? 'md' : 'txt';
}

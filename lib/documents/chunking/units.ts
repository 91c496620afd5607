/**
 * Turns text into the units the packer works with, in document order:
 * heading lines, then the sentences of each paragraph, with sentences that
 * alone exceed the budget cut into lines or fragments. Every non-whitespace
 * character of the text lies in exactly one unit, and every unit fits
 * `maxTokens` on its own.
 */
import { splitSentences } from './sentences.ts';
import { splitOversized, type CountTokens } from './split-long.ts';

export type UnitKind = 'heading' | 'sentence' | 'line' | 'fragment';

export interface Unit {
  start: number;
  end: number;
  tokens: number;
  kind: UnitKind;
  /** First unit of a paragraph (or a heading): the preferred place to end a chunk before. */
  paragraphStart: boolean;
  /** First unit of a heading line: chunks never run across it. */
  sectionStart: boolean;
  /** Titles of the enclosing headings, outermost first; shared by all units of a section. */
  path: readonly string[];
}

export interface UnitOptions {
  /** Recognise Markdown `#` headings, code fences and list lines. */
  structured: boolean;
  maxTokens: number;
  count: CountTokens;
}

/** A heading title longer than this is still a heading, but its path entry is cut. */
const MAX_TITLE_CHARS = 200;

/** ATX heading: up to 3 spaces, 1-6 `#`, then a space or the end of the line. Parsed by hand: no regex backtracking on long lines. */
function parseHeading(text: string, start: number, end: number): { level: number; title: string } | undefined {
  let i = start;
  while (i < end && i - start < 3 && text[i] === ' ') i++;
  let level = 0;
  while (i < end && text[i] === '#' && level < 7) {
    level++;
    i++;
  }
  if (level === 0 || level > 6 || (i < end && text[i] !== ' ' && text[i] !== '\t')) return undefined;
  let titleEnd = end;
  while (titleEnd > i && /\s/.test(text[titleEnd - 1]!)) titleEnd--;
  // A closing sequence of #s counts only after a space ("# C#" keeps its #).
  let hashes = titleEnd;
  while (hashes > i && text[hashes - 1] === '#') hashes--;
  if (hashes < titleEnd && (hashes === i || /\s/.test(text[hashes - 1]!))) titleEnd = hashes;
  const title = text.slice(i, Math.min(titleEnd, i + MAX_TITLE_CHARS * 2)).trim().slice(0, MAX_TITLE_CHARS);
  return title ? { level, title } : undefined;
}

function isFence(text: string, start: number, end: number): boolean {
  let i = start;
  while (i < end && i - start < 3 && text[i] === ' ') i++;
  return text.startsWith('```', i) || text.startsWith('~~~', i);
}

function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!/\s/.test(text[i]!)) return false;
  return true;
}

export function buildUnits(text: string, options: UnitOptions): Unit[] {
  const { structured, maxTokens, count } = options;
  const units: Unit[] = [];
  const stack: { level: number; title: string }[] = [];
  let path: readonly string[] = [];

  const push = (start: number, end: number, kind: UnitKind, first: boolean, section: boolean) => {
    const tokens = count(text.slice(start, end));
    if (tokens <= maxTokens) {
      units.push({ start, end, tokens, kind, paragraphStart: first, sectionStart: section, path });
      return;
    }
    splitOversized(text, start, end, maxTokens, count).forEach((piece, i) => {
      const pieceTokens = count(text.slice(piece.start, piece.end));
      units.push({ ...piece, tokens: pieceTokens, paragraphStart: first && i === 0, sectionStart: section && i === 0, path });
    });
  };

  let paragraphStart = -1;
  let paragraphEnd = -1;
  const flushParagraph = () => {
    if (paragraphStart < 0) return;
    splitSentences(text, paragraphStart, paragraphEnd, structured).forEach((span, i) => {
      push(span.start, span.end, 'sentence', i === 0, false);
    });
    paragraphStart = -1;
  };

  let inFence = false;
  for (let lineStart = 0; lineStart <= text.length; ) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const heading = structured && !inFence ? parseHeading(text, lineStart, lineEnd) : undefined;
    if (heading) {
      flushParagraph();
      while (stack.length > 0 && stack[stack.length - 1]!.level >= heading.level) stack.pop();
      stack.push(heading);
      path = Object.freeze(stack.map((h) => h.title));
      let s = lineStart;
      while (/\s/.test(text[s]!)) s++;
      let e = lineEnd;
      while (e > s && /\s/.test(text[e - 1]!)) e--;
      push(s, e, 'heading', true, true);
    } else if (isBlank(text, lineStart, lineEnd)) {
      flushParagraph();
    } else {
      if (structured && isFence(text, lineStart, lineEnd)) inFence = !inFence;
      if (paragraphStart < 0) paragraphStart = lineStart;
      paragraphEnd = lineEnd;
    }
    lineStart = lineEnd + 1;
  }
  flushParagraph();
  return units;
}

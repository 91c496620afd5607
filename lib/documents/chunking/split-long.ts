/**
 * Cuts a span that is over the token budget on its own (a run-on sentence, a
 * table dump, a megabyte without punctuation) into pieces that fit: at line
 * breaks first, then between words (English) or characters (CJK), and inside
 * a word only when one word alone is too long.
 *
 * Finding each cut costs O(piece · log piece) counter work: a galloping search
 * then a binary search on the piece's end, never re-counting the whole rest.
 */
import type { Span } from './sentences.ts';

export type CountTokens = (s: string) => number;

export interface Piece extends Span {
  /** 'line': a whole line of the span; 'fragment': part of a line. */
  kind: 'line' | 'fragment';
}

const CJK = /[\u2E80-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFE30-\uFFEF]/;

function isSpace(c: string | undefined): boolean {
  return c !== undefined && /\s/.test(c);
}

/** A word boundary: whitespace on either side, or a CJK character on either side (CJK has no spaces). */
function isWordBoundary(text: string, at: number): boolean {
  const before = text[at - 1];
  const after = text[at];
  return isSpace(before) || isSpace(after) || (before !== undefined && CJK.test(before)) || (after !== undefined && CJK.test(after));
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Moves a cut back to a word boundary, else to a code point boundary, never to or before `start`. */
function snapBack(text: string, start: number, at: number): number {
  for (let q = at; q > start; q--) if (isWordBoundary(text, q)) return q;
  return isLowSurrogate(text.charCodeAt(at)) && at - 1 > start ? at - 1 : at;
}

function skipSpace(text: string, at: number, end: number): number {
  while (at < end && isSpace(text[at])) at++;
  return at;
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && isSpace(text[end - 1])) end--;
  return end;
}

/** Splits one line, which does not fit, into fragments that do. */
function cutLine(text: string, start: number, end: number, maxTokens: number, count: CountTokens, out: Piece[]): void {
  const fits = (from: number, to: number) => count(text.slice(from, to)) <= maxTokens;
  let s = skipSpace(text, start, end);
  while (s < end) {
    let lo = s;
    let step = Math.max(64, maxTokens * 4);
    let hi = Math.min(end, s + step);
    while (fits(s, hi)) {
      lo = hi;
      if (hi === end) break;
      step *= 2;
      hi = Math.min(end, s + step);
    }
    while (lo < end && hi - lo > 1) {
      const mid = lo + ((hi - lo) >> 1);
      if (fits(s, mid)) lo = mid;
      else hi = mid;
    }
    let cut = lo === end ? end : snapBack(text, s, lo);
    // A counter that is not quite monotone may reject the snapped cut: halve until it fits.
    while (cut > s && !fits(s, cut)) cut = s + ((cut - s) >> 1);
    if (cut <= s) {
      cut = s + (isLowSurrogate(text.charCodeAt(s + 1)) ? 2 : 1);
      if (!fits(s, cut)) throw new RangeError(`maxTokens ${maxTokens} is smaller than one character counts`);
    }
    const pieceEnd = trimEnd(text, s, cut);
    if (pieceEnd > s) out.push({ start: s, end: pieceEnd, kind: 'fragment' });
    s = skipSpace(text, cut, end);
  }
}

/** Splits span [start, end), which does not fit in `maxTokens`, into pieces that each do. */
export function splitOversized(text: string, start: number, end: number, maxTokens: number, count: CountTokens): Piece[] {
  const pieces: Piece[] = [];
  let lineStart = start;
  while (lineStart < end) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0 || lineEnd > end) lineEnd = end;
    const s = skipSpace(text, lineStart, lineEnd);
    const e = trimEnd(text, s, lineEnd);
    if (e > s) {
      const whole = lineStart === start && lineEnd === end;
      if (!whole && count(text.slice(s, e)) <= maxTokens) pieces.push({ start: s, end: e, kind: 'line' });
      else cutLine(text, s, e, maxTokens, count, pieces);
    }
    lineStart = lineEnd + 1;
  }
  return pieces;
}

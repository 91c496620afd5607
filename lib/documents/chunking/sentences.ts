/**
 * Sentence boundaries inside one paragraph, for Chinese and English.
 *
 * Chinese ends a sentence with 。！？；or …, wherever it stands, together with
 * any closing quotes or brackets. English ends one with . ! or ? followed by
 * whitespace or the end, except after an abbreviation (e.g., Dr., Inc.) or an
 * initial (J. Smith), and except when the next word starts in lowercase.
 * Decimals (3.14) never match because no whitespace follows their point.
 * In structured formats a line that starts a list item or table row also
 * starts a sentence, so lists are not one long run-on "sentence".
 */

export interface Span {
  start: number;
  end: number;
}

const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'vs', 'etc', 'e.g', 'i.e', 'eg', 'ie', 'cf', 'al', 'ca',
  'inc', 'ltd', 'co', 'corp', 'no', 'nos', 'fig', 'figs', 'vol', 'vols', 'p', 'pp', 'approx', 'dept', 'est',
  'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
  'u.s', 'u.k', 'a.m', 'p.m', 'mt', 'rev', 'gen', 'col', 'lt', 'sgt', 'capt',
]);

const CHINESE_END = '[。！？；…]+[”’」』）)\\]"\'》〉]*';
// Written so that a long run of dots or quotes cannot backtrack quadratically: a
// match may only start where a run starts (lookbehind), and each run is taken
// whole (the lookahead-plus-backreference idiom for an atomic group).
const ENGLISH_END = '(?<![.!?])(?=([.!?]+))\\1(?=([”’"\')\\]]*))\\2(?=\\s|$)';
const LIST_LINE = '\\n(?=[ \\t]*(?:(?:[-*+]|\\d{1,9}[.)])[ \\t]|\\|))';
const PROSE = new RegExp(`${CHINESE_END}|${ENGLISH_END}`, 'g');
const STRUCTURED = new RegExp(`${CHINESE_END}|${ENGLISH_END}|${LIST_LINE}`, 'g');

/** Whether a period at `dot` ends an abbreviation or initial rather than a sentence. */
function isAbbreviation(para: string, dot: number): boolean {
  const word = /[A-Za-z][A-Za-z.]*$/.exec(para.slice(Math.max(0, dot - 12), dot))?.[0];
  if (!word) return false;
  if (word.length === 1) return true;
  return ABBREVIATIONS.has(word.toLowerCase());
}

function pushTrimmed(spans: Span[], para: string, offset: number, start: number, end: number): void {
  while (start < end && /\s/.test(para[start]!)) start++;
  while (end > start && /\s/.test(para[end - 1]!)) end--;
  if (end > start) spans.push({ start: offset + start, end: offset + end });
}

/** Splits text[start, end) into trimmed sentence spans (offsets into `text`) that cover all its non-whitespace. */
export function splitSentences(text: string, start: number, end: number, structured: boolean): Span[] {
  const para = text.slice(start, end);
  const pattern = structured ? STRUCTURED : PROSE;
  pattern.lastIndex = 0;
  const spans: Span[] = [];
  let sentenceStart = 0;
  for (let match = pattern.exec(para); match; match = pattern.exec(para)) {
    const token = match[0];
    if (token === '\n') {
      pushTrimmed(spans, para, start, sentenceStart, match.index);
      sentenceStart = match.index;
      continue;
    }
    const boundary = match.index + token.length;
    if (/^\.[”’"')\]]*$/.test(token) && isAbbreviation(para, match.index)) continue;
    if (/^[.!?]/.test(token)) {
      // "... and so on. but" is a lowercase continuation, not a new sentence.
      const next = /\S/.exec(para.slice(boundary, boundary + 8))?.[0];
      if (next !== undefined && next >= 'a' && next <= 'z') continue;
    }
    pushTrimmed(spans, para, start, sentenceStart, boundary);
    sentenceStart = boundary;
  }
  pushTrimmed(spans, para, start, sentenceStart, para.length);
  return spans;
}

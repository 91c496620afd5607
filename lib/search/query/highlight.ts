import type { Clause } from '../port.ts';
import { foldText } from './fold.ts';

export interface HighlightOptions {
  /** Most fragments returned, best first (most distinct words, then earliest). */
  fragments?: number;
  /** About how many characters of text each fragment shows. */
  fragmentChars?: number;
  /** When no word is found: the text's first this many characters as one fragment (0: none). */
  noMatchChars?: number;
}

interface Match {
  start: number;
  end: number;
  word: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const LATIN = /[\p{L}\p{N}]/u;
const HAN = /\p{Script=Han}/u;
const ALL_HAN = /^\p{Script=Han}+$/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** HTML-escapes `& < > " '`. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

/**
 * Fragments of `text` around `words`, each found word wrapped in `<em>…</em>` and
 * everything else HTML-escaped. Words are found case-insensitively as substrings,
 * because Chinese has no spaces; a word of letters or digits must not continue into
 * more letters (`art` does not light up `start`), which is how the engines matched it.
 * Where words overlap the longest wins (`报销单` over `报销`). Cuts never split a
 * surrogate pair; a cut end shows `…`.
 */
export function highlight(text: string, words: string[], options: HighlightOptions = {}): string[] {
  const fragments = options.fragments ?? 3;
  const size = Math.max(20, options.fragmentChars ?? 120);
  const source = text.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');
  const matches = findMatches(source, words);
  if (matches.length === 0) {
    const n = options.noMatchChars ?? 0;
    if (n <= 0 || source.trim() === '') return [];
    const end = safeCut(source, Math.min(source.length, n));
    return [render(source, 0, end, [])];
  }
  const windows = fragmentWindows(source, matches, size);
  return windows
    .map((w, order) => ({ ...w, order, distinct: new Set(w.matches.map((m) => m.word)).size }))
    .sort((a, b) => b.distinct - a.distinct || b.matches.length - a.matches.length || a.order - b.order)
    .slice(0, fragments)
    .map((w) => render(source, w.start, w.end, w.matches));
}

/** The words a clause looks for (with fuzzy alternatives), not the negated ones: what to highlight. */
export function clauseWords(clause: Clause | null): string[] {
  const words = new Set<string>();
  const visit = (c: Clause): void => {
    switch (c.kind) {
      case 'words':
        for (const w of c.words) {
          words.add(w.word);
          for (const alt of w.alternatives) words.add(alt.word);
        }
        break;
      case 'phrase':
        // Chinese phrases are found whole in the raw text (`年假`, not every `年`); single characters alone never.
        if (c.words.every((w) => ALL_HAN.test(w))) {
          words.add(c.words.join(''));
          for (const w of c.words) if ([...w].length > 1) words.add(w);
        } else for (const w of c.words) words.add(w);
        break;
      case 'and':
      case 'or':
        c.children.forEach(visit);
        break;
      case 'keyword':
      case 'not':
        break;
    }
  };
  if (clause) visit(clause);
  return [...words].filter((w) => w !== '');
}

function findMatches(text: string, words: string[]): Match[] {
  const haystack = foldText(text);
  const found: Match[] = [];
  const wanted = new Set(words.map((w) => foldText(w.trim())).filter((w) => w !== '' && !LONE_SURROGATE.test(w)));
  for (const word of wanted) {
    const first = word.codePointAt(0)!;
    const last = word.codePointAt(word.length - 1)!;
    const guardStart = LATIN.test(String.fromCodePoint(first)) && !HAN.test(String.fromCodePoint(first));
    const guardEnd = LATIN.test(String.fromCodePoint(last)) && !HAN.test(String.fromCodePoint(last));
    for (let at = haystack.indexOf(word); at !== -1; at = haystack.indexOf(word, at + 1)) {
      const end = at + word.length;
      if (guardStart && at > 0 && isWordChar(haystack, at - 1, -1)) continue;
      if (guardEnd && end < haystack.length && isWordChar(haystack, end, 1)) continue;
      found.push({ start: at, end, word });
      if (found.length > 10_000) break;
    }
  }
  // Leftmost first, longest first at one place; then drop what overlaps an earlier pick.
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const picked: Match[] = [];
  for (const m of found) if (picked.length === 0 || m.start >= picked[picked.length - 1]!.end) picked.push(m);
  return picked;
}

/** Whether the character touching a match (before it: dir -1) is a letter or digit that is not Chinese. */
function isWordChar(text: string, at: number, dir: 1 | -1): boolean {
  const code = dir === -1 && at > 0 && /[\uDC00-\uDFFF]/.test(text[at]!) ? text.codePointAt(at - 1)! : text.codePointAt(at)!;
  const ch = String.fromCodePoint(code);
  return LATIN.test(ch) && !HAN.test(ch);
}

/** A position moved back off the middle of a surrogate pair. */
function safeCut(text: string, at: number): number {
  return at > 0 && at < text.length && /[\uDC00-\uDFFF]/.test(text[at]!) && /[\uD800-\uDBFF]/.test(text[at - 1]!) ? at - 1 : at;
}

/** Windows of about `size` characters, each centred on a run of matches that fit together. */
function fragmentWindows(text: string, matches: Match[], size: number): { start: number; end: number; matches: Match[] }[] {
  const windows: { start: number; end: number; matches: Match[] }[] = [];
  let i = 0;
  while (i < matches.length) {
    const group = [matches[i]!];
    while (i + group.length < matches.length && matches[i + group.length]!.end - group[0]!.start <= size) group.push(matches[i + group.length]!);
    i += group.length;
    const first = group[0]!.start;
    const last = group[group.length - 1]!.end;
    const spare = Math.max(0, size - (last - first));
    let start = Math.max(0, first - Math.floor(spare / 2));
    // Never into the next group's first match: it belongs to the next fragment, highlighted there.
    const next = matches[i];
    let end = Math.min(next ? next.start : text.length, last + (spare - (first - start)));
    start = Math.max(0, Math.min(start, end - size)); // near the end: show more before
    start = snapStart(text, start, first);
    end = snapEnd(text, end, last);
    const previous = windows[windows.length - 1];
    if (previous && start < previous.end) start = previous.end;
    windows.push({ start, end, matches: group });
  }
  return windows;
}

/**
 * Starts a fragment after a space or a Chinese sentence end when one is near, so an
 * English word or a sentence is not cut; never inside a surrogate pair.
 */
function snapStart(text: string, start: number, limit: number): number {
  if (start === 0) return 0;
  const near = text.slice(start, Math.min(limit, start + 15));
  const boundary = near.search(/[\s。！？；]/u);
  return safeCut(text, boundary === -1 ? start : start + boundary + 1);
}

/** Ends a fragment before a space or after a Chinese sentence end when one is near. */
function snapEnd(text: string, end: number, limit: number): number {
  if (end >= text.length) return text.length;
  const from = Math.max(limit, end - 15);
  const near = text.slice(from, end);
  const space = near.search(/\s\S*$/u);
  const stop = near.search(/[。！？；][^。！？；]*$/u);
  if (stop !== -1 && stop + 1 > space) return from + stop + 1;
  return safeCut(text, space === -1 ? end : from + space);
}

function render(text: string, start: number, end: number, matches: Match[]): string {
  let out = '';
  let at = start;
  for (const m of matches) {
    out += escapeHtml(collapse(text.slice(at, m.start))) + '<em>' + escapeHtml(text.slice(m.start, m.end)) + '</em>';
    at = m.end;
  }
  out += escapeHtml(collapse(text.slice(at, end)));
  out = out.replace(/^\s+/u, '').replace(/\s+$/u, '');
  return (start > 0 ? '…' : '') + out + (end < text.length ? '…' : '');
}

/** Line breaks and runs of spaces read as one space in a snippet. */
function collapse(text: string): string {
  return text.replace(/\s+/gu, ' ');
}

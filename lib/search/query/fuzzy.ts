import { pinyin } from 'pinyin-pro';
import type { Queryable } from '../../db/index.ts';
import type { IndexName } from '../indexes.ts';
import { segmentForIndex } from '../segment.ts';
import { foldText } from './fold.ts';

/** A fuzzy alternative of a word: a vocabulary word, weight in (0, 1). */
export interface Alternative {
  word: string;
  weight: number;
}

/** A part of a query's text (`start`..`end`, 0-based, end exclusive) that the vocabulary would write differently. */
export interface Correction {
  start: number;
  end: number;
  /** The part as typed, lower-cased. */
  original: string;
  /** How many records hold `original` (0: none). */
  records: number;
  /**
   * Best first; every weight is below 1, the weight of the word as typed; `records` hold each.
   * A word with spaces (`年 假`) is a run of single characters: search it as a phrase.
   */
  alternatives: (Alternative & { records: number })[];
}

/**
 * Weights of alternatives: below the typed word (1), so a record holding what was
 * typed always ranks above one holding only a guess; one wrong letter or character
 * is a likelier typo than two.
 */
const WEIGHT = { oneEdit: 0.8, twoEdits: 0.6 } as const;
/** A word held by this many records is a real word, not a typo: no alternatives (English and Chinese alike). */
const COMMON_RECORDS = 3;
/**
 * A word some records hold (but fewer than COMMON_RECORDS) may still be a typo, but
 * only of a word far more records hold; else it is a rare real word (`retention`
 * is no typo of `reception`).
 */
const RARE_WORD_RATIO = 4;
/** Whether a vocabulary word held by `records` records is a likelier meaning of a typed word `own` records hold. */
function likelier(records: number, own: number): boolean {
  return own === 0 ? records > 0 : records >= Math.max(COMMON_RECORDS, RARE_WORD_RATIO * own);
}
/** Alternatives kept per word, and corrections per run of Chinese. */
const MAX_ALTERNATIVES = 3;
const MAX_RUN_CORRECTIONS = 4;
/** Longer runs of Chinese are only examined at their start (a query is short; this bounds the work). */
const MAX_RUN_CHARS = 40;

const HAN_RUN = /\p{Script=Han}+/gu;
const OTHER_WORD = /(?:(?!\p{Script=Han})[\p{L}\p{M}\p{N}])+/gu;

/**
 * Toneless pinyin, syllables space-separated (`bao xiao`), for a word of Chinese
 * characters only (or a run of single characters, `年 假`); else null.
 */
export function pinyinOf(word: string): string | null {
  if (!/^\p{Script=Han}+( \p{Script=Han})*$/u.test(word)) return null;
  return pinyin(word.replaceAll(' ', ''), { toneType: 'none', type: 'array', v: true }).join(' ');
}

const SINGLE_HAN = /^\p{Script=Han}$/u;

/**
 * The words of one record for the vocabulary, from its segmented tokens: the words
 * themselves, and where jieba cut a word it does not know into single characters
 * (`年假` into `年` `假`), those characters two and three at a time, space-joined
 * (`年 假`). The index holds them as neighbouring tokens, so a query finds them as a
 * phrase; the vocabulary needs them to correct `年价` toward them.
 */
export function vocabularyTerms(tokens: string[]): Set<string> {
  const terms = new Set<string>();
  let run: string[] = [];
  const flush = () => {
    for (let size = 2; size <= 3; size++) {
      for (let i = 0; i + size <= run.length; i++) terms.add(run.slice(i, i + size).join(' '));
    }
    run = [];
  };
  for (const token of tokens) {
    if (SINGLE_HAN.test(token)) {
      run.push(token);
      continue;
    }
    flush();
    terms.add(token);
  }
  flush();
  return terms;
}

/** `年 假` (a vocabulary run of single characters) as typed: `年假`. */
export function joinedTerm(term: string): string {
  return term.replaceAll(' ', '');
}

/** The parts of `text` with fuzzy alternatives from the vocabulary, in text order. */
export async function findCorrections(db: Queryable, index: IndexName, text: string): Promise<Correction[]> {
  const folded = foldText(text);
  // Each word and run is its own lookup: on PostgreSQL they run side by side on the pool.
  const lookups = new Map<string, ReturnType<typeof englishAlternatives>>();
  const english = [...folded.matchAll(OTHER_WORD)].map(async (match): Promise<Correction[]> => {
    if (!lookups.has(match[0])) lookups.set(match[0], englishAlternatives(db, index, match[0]));
    const { records, alternatives } = await lookups.get(match[0])!;
    return alternatives.length === 0 ? [] : [{ start: match.index, end: match.index + match[0].length, original: match[0], records, alternatives }];
  });
  const chinese = [...folded.matchAll(HAN_RUN)].map(async (match): Promise<Correction[]> => {
    const run = [...match[0]].slice(0, MAX_RUN_CHARS).join('');
    return (await chineseCorrections(db, index, run)).map((c) => ({ ...c, start: match.index + c.start, end: match.index + c.end }));
  });
  const corrections = (await Promise.all([...english, ...chinese])).flat();
  return corrections.sort((a, b) => a.start - b.start || b.end - a.end);
}

/**
 * A misspelled word: vocabulary words sharing trigrams with it (pg_trgm, on PGlite
 * as on PostgreSQL), kept when they are one or two edits away and more common than
 * the word itself. Short words, numbers and codes are left alone: a typo in `SKU-12`
 * is another SKU, not a typo.
 */
async function englishAlternatives(
  db: Queryable,
  index: IndexName,
  word: string,
): Promise<{ records: number; alternatives: Correction['alternatives'] }> {
  if ([...word].length < 4 || /\d/.test(word) || !/\p{L}/u.test(word)) return { records: 0, alternatives: [] };
  const { rows } = await db.query<{ term: string; records: number }>(
    `select term, records from search_terms
      where index_name = $1 and term % $2
      order by similarity(term, $2) desc, records desc, term
      limit 20`,
    [index, word],
  );
  const own = rows.find((r) => r.term === word)?.records ?? 0;
  if (own >= COMMON_RECORDS) return { records: own, alternatives: [] };
  const maxEdits = [...word].length >= 8 ? 2 : 1;
  const alternatives = rows
    .filter((r) => r.term !== word && likelier(r.records, own) && !/\p{Script=Han}/u.test(r.term))
    .map((r) => ({ term: r.term, records: r.records, edits: editDistance(word, r.term, maxEdits) }))
    .filter((r) => r.edits <= maxEdits)
    .sort((a, b) => a.edits - b.edits || b.records - a.records || (a.term < b.term ? -1 : 1))
    .slice(0, MAX_ALTERNATIVES)
    .map((r) => ({ word: r.term, weight: r.edits === 1 ? WEIGHT.oneEdit : WEIGHT.twoEdits, records: r.records }));
  return { records: own, alternatives };
}

/**
 * A wrong character of the same sound (`报消` for `报销`). jieba cannot be trusted
 * with a word it does not know (it may keep `报消` whole or split it into single
 * characters), so this looks at the raw run: characters not covered by a common
 * vocabulary word of two or more characters are suspect, and every 2-4 character
 * window holding a suspect character, not itself a common word, is looked up by
 * its toneless pinyin among the vocabulary's words of the same length that differ
 * in one character (two in a 4-character window) and are likelier (see `likelier`).
 * The vocabulary's runs of single characters (`年 假`) are such words too.
 */
async function chineseCorrections(db: Queryable, index: IndexName, run: string): Promise<Correction[]> {
  const chars = [...run];
  if (chars.length < 2) return [];
  const offsets: number[] = [];
  chars.reduce((at, ch) => (offsets.push(at), at + ch.length), 0);
  offsets.push(run.length);

  const segments = [...new Set(segmentForIndex(run).split(' ').filter((w) => [...w].length >= 2))];
  const windows = new Map<string, { start: number; end: number }[]>();
  for (let size = 2; size <= 4; size++) {
    for (let i = 0; i + size <= chars.length; i++) {
      const word = chars.slice(i, i + size).join('');
      windows.set(word, [...(windows.get(word) ?? []), { start: i, end: i + size }]);
    }
  }
  const spaced = [...windows.keys()].map((w) => [...w].join(' '));
  const { rows: knownRows } = await db.query<{ term: string; records: number }>(
    'select term, records from search_terms where index_name = $1 and term = any($2::text[])',
    [index, [...new Set([...segments, ...windows.keys(), ...spaced])]],
  );
  // A typo that a few records also hold (someone typed 报消 once) is still a typo.
  // A window the index holds as single characters (`年 假`) counts as the word `年假`.
  const held = new Map<string, number>();
  for (const r of knownRows) held.set(joinedTerm(r.term), Math.max(held.get(joinedTerm(r.term)) ?? 0, r.records));
  const known = new Set(knownRows.filter((r) => r.records >= COMMON_RECORDS).map((r) => joinedTerm(r.term)));
  // Where the query's vocabulary words sit, in characters.
  const spans: { start: number; end: number; common: boolean }[] = [];
  for (const segment of segments.filter((s) => held.has(s))) {
    for (let at = run.indexOf(segment); at !== -1; at = run.indexOf(segment, at + 1)) {
      const start = offsets.indexOf(at);
      spans.push({ start, end: offsets.indexOf(at + segment.length), common: known.has(segment) });
    }
  }
  const covered = new Array<boolean>(chars.length).fill(false);
  for (const span of spans.filter((s) => s.common)) covered.fill(true, span.start, span.end);

  const candidates = new Map<string, { start: number; end: number; pinyin: string }>();
  for (const [word, places] of windows) {
    if (known.has(word)) continue;
    // A window holds a suspect character and does not cut through a word the vocabulary has
    // (`旅报` in 差旅报销 is no typo for 率报): a typo replaces a word, it does not straddle two.
    const place = places.find(
      (p) =>
        covered.slice(p.start, p.end).includes(false) &&
        !spans.some((s) => s.start < p.end && p.start < s.end && !(p.start <= s.start && s.end <= p.end) && !(s.start <= p.start && p.end <= s.end)),
    );
    const sound = place && pinyinOf(word);
    if (place && sound) candidates.set(word, { ...place, pinyin: sound });
  }
  if (candidates.size === 0) return [];
  const { rows } = await db.query<{ term: string; pinyin: string; records: number }>(
    `select term, pinyin, records from search_terms
      where index_name = $1 and pinyin = any($2::text[]) and records > 0
      order by records desc, term limit 500`,
    [index, [...new Set([...candidates.values()].map((c) => c.pinyin))]],
  );

  const corrections: (Correction & { best: number })[] = [];
  for (const [word, place] of candidates) {
    const typed = [...word];
    const alternatives = rows
      .filter((r) => r.pinyin === place.pinyin && joinedTerm(r.term) !== word && likelier(r.records, held.get(word) ?? 0))
      .map((r) => ({ ...r, chars: [...joinedTerm(r.term)] }))
      .map((r) => ({ term: r.term, records: r.records, length: r.chars.length, diff: r.chars.filter((ch, i) => ch !== typed[i]).length }))
      .filter((r) => r.length === typed.length && r.diff <= Math.max(1, Math.floor(typed.length / 2)))
      .sort((a, b) => a.diff - b.diff || b.records - a.records)
      .slice(0, MAX_ALTERNATIVES)
      .map((r) => ({ word: r.term, weight: r.diff === 1 ? WEIGHT.oneEdit : WEIGHT.twoEdits, records: r.records }));
    if (alternatives.length === 0) continue;
    corrections.push({
      start: offsets[place.start]!,
      end: offsets[place.end]!,
      original: word,
      records: held.get(word) ?? 0,
      alternatives,
      best: alternatives[0]!.records,
    });
  }
  // Longer fixes first (they explain more of what was typed), then the commoner word.
  return corrections
    .sort((a, b) => b.end - b.start - (a.end - a.start) || b.best - a.best)
    .slice(0, MAX_RUN_CORRECTIONS)
    .map(({ best: _best, ...c }) => c);
}

/** Optimal-string-alignment distance (a swap of neighbours is one edit), stopping early past `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  const s = [...a];
  const t = [...b];
  if (Math.abs(s.length - t.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      row.push(d);
      best = Math.min(best, d);
    }
    if (best > limit) return limit + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[t.length]!;
}

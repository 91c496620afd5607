import type { Clause, WordMatch } from '../port.ts';
import { INDEXES, type IndexName } from '../indexes.ts';
import { segmentForIndex } from '../segment.ts';
import type { Vocabulary } from '../vocabulary.ts';
import type { QueryNode } from './parse.ts';
import { foldText } from './fold.ts';

/**
 * Turns a parsed query into the engines' `Clause`: text segmented with jieba exactly
 * as the index is (`segmentForIndex`), keyword, date and number fields as exact
 * values, and fuzzy alternatives from the vocabulary on unquoted text. A quoted
 * phrase is taken as typed: no alternatives.
 *
 * `null` when nothing searchable is left (a query of punctuation only, `-!!!`): the
 * service should answer no hits then, since `clause: null` asks the engine for every
 * record. Parts with nothing searchable inside a larger query are dropped
 * (`报销 AND ???` is `报销`).
 */
export async function analyzeQuery(
  node: QueryNode | null,
  index: IndexName,
  vocabulary: Pick<Vocabulary, 'corrections'>,
): Promise<Clause | null> {
  if (!node) return null;
  switch (node.kind) {
    case 'and':
    case 'or': {
      const children = (await Promise.all(node.children.map((c) => analyzeQuery(c, index, vocabulary)))).filter(
        (c): c is Clause => c !== null,
      );
      const flat = children.flatMap((c) => (c.kind === node.kind ? c.children : [c]));
      const joined = node.kind === 'or' ? mergeWords(flat) : flat;
      return joined.length === 0 ? null : joined.length === 1 ? joined[0]! : { kind: node.kind, children: joined };
    }
    case 'not': {
      const child = await analyzeQuery(node.child, index, vocabulary);
      return child && { kind: 'not', child };
    }
    case 'text':
    case 'phrase': {
      const field = node.field;
      if (field !== undefined && INDEXES[index].fields[field]?.type !== 'text') {
        const value = node.text.trim();
        return value === '' ? null : { kind: 'keyword', field, value };
      }
      const words = segmentForIndex(node.text).split(' ').filter((w) => w !== '');
      if (words.length === 0) return null;
      const on = field === undefined ? {} : { field };
      if (node.kind === 'phrase') {
        return words.length === 1 ? { kind: 'words', ...on, words: [{ word: words[0]!, alternatives: [] }] } : { kind: 'phrase', ...on, words };
      }
      const { matches, phrases } = await expand(node.text, words, index, vocabulary);
      const children: Clause[] = [
        ...(matches.length > 0 ? [{ kind: 'words' as const, ...on, words: matches }] : []),
        ...phrases.map((p) => ({ kind: 'phrase' as const, ...on, words: p })),
      ];
      return children.length === 0 ? null : children.length === 1 ? children[0]! : { kind: 'or', children };
    }
  }
}

const SINGLE_HAN = /^\p{Script=Han}$/u;

/**
 * The segmented words with the vocabulary's alternatives attached, and the phrases
 * that stand for words jieba does not know:
 * - two or three single characters in a row (`年假` cut into `年` `假`) are one
 *   unknown word, searched as the phrase `年 假` (the index holds the same
 *   neighbouring characters), not as any record with a `年` anywhere; longer runs
 *   are function words (`的 钱 能 报`) and stay words;
 * - a correction toward such a run (`年价` → `年 假`) is a phrase too;
 * - a correction of a window jieba did not keep whole (`报消` cut into `报` `消`)
 *   becomes a word of its own, and the single characters it explains are dropped.
 */
async function expand(
  text: string,
  segmented: string[],
  index: IndexName,
  vocabulary: Pick<Vocabulary, 'corrections'>,
): Promise<{ matches: WordMatch[]; phrases: string[][] }> {
  const words = new Map<string, WordMatch>();
  const phrases = new Map<string, string[]>();
  for (let i = 0; i < segmented.length; ) {
    let end = i;
    while (end < segmented.length && SINGLE_HAN.test(segmented[end]!)) end++;
    if (end - i >= 2 && end - i <= 3) {
      phrases.set(segmented.slice(i, end).join(' '), segmented.slice(i, end));
      i = end;
      continue;
    }
    for (const word of segmented.slice(i, Math.max(end, i + 1))) if (!words.has(word)) words.set(word, { word, alternatives: [] });
    i = Math.max(end, i + 1);
  }
  const corrections = await vocabulary.corrections(index, text);
  const explained = new Set<string>();
  for (const c of corrections) {
    const match = words.get(c.original) ?? { word: c.original, alternatives: [] };
    for (const alt of c.alternatives) {
      if (alt.word.includes(' ')) phrases.set(alt.word, alt.word.split(' '));
      else if (alt.word !== match.word && !match.alternatives.some((a) => a.word === alt.word)) {
        match.alternatives.push({ word: alt.word, weight: alt.weight });
      }
    }
    if (match.alternatives.length > 0 || words.has(c.original)) words.set(c.original, match);
    for (const ch of c.original) explained.add(ch);
  }
  if (explained.size > 0) {
    // A single character is dropped only when every place it is typed lies inside a corrected window.
    const lowered = foldText(text);
    for (const ch of explained) {
      const word = words.get(ch);
      if (!word || word.alternatives.length > 0) continue;
      const places = [...lowered.matchAll(new RegExp(escapeRegExp(ch), 'gu'))].map((m) => m.index);
      if (places.every((at) => corrections.some((c) => at >= c.start && at < c.end))) words.delete(ch);
    }
  }
  return { matches: [...words.values()], phrases: [...phrases.values()] };
}

/**
 * `差旅 报销` is one OR of words, not an OR of two one-word clauses: the same
 * meaning, one ranked match for the engine (one tsquery, one bool query).
 */
function mergeWords(children: Clause[]): Clause[] {
  const merged: Clause[] = [];
  const byField = new Map<string, Extract<Clause, { kind: 'words' }>>();
  for (const child of children) {
    if (child.kind !== 'words') {
      merged.push(child);
      continue;
    }
    const key = child.field ?? '';
    const into = byField.get(key);
    if (!into) {
      const copy = { ...child, words: [...child.words] };
      byField.set(key, copy);
      merged.push(copy);
      continue;
    }
    for (const word of child.words) {
      const same = into.words.find((w) => w.word === word.word);
      if (!same) into.words.push(word);
      else for (const alt of word.alternatives) if (!same.alternatives.some((a) => a.word === alt.word)) same.alternatives.push(alt);
    }
  }
  return merged;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

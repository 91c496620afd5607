import type { Queryable } from '../db/index.ts';
import type { IndexName } from './indexes.ts';
import { segmentForIndex } from './segment.ts';
import { foldText } from './query/fold.ts';
import { findCorrections, joinedTerm, pinyinOf, vocabularyTerms, type Alternative, type Correction } from './query/fuzzy.ts';
import { parseQuery, cleanQueryText, type QueryNode } from './query/parse.ts';
import { INDEXES } from './indexes.ts';

export type { Alternative, Correction } from './query/fuzzy.ts';

/**
 * The words each index holds (`search_terms`), as the engines index them, with how
 * many records hold each: fuzzy matching, "did you mean" and word suggestions look
 * here, the same for both engines. Counts only grow between rebuilds (a changed
 * record is counted again, a removed one is not taken away): they rank, they do not
 * decide, and a rebuild (`reset` + `record`) makes them exact again.
 */
export interface Vocabulary {
  /** Counts the words of `texts` (each text one record) into the index's vocabulary. */
  record(index: IndexName, texts: string[]): Promise<void>;
  /** Forgets the index's words (before a rebuild records them again). */
  reset(index: IndexName): Promise<void>;
  /**
   * Fuzzy alternatives of one word (English typo; Chinese wrong character of the same sound), best first.
   * One with spaces (`年 假`) is a run of single characters the index holds as neighbours: a phrase.
   */
  alternatives(index: IndexName, word: string): Promise<Alternative[]>;
  /** The parts of a query term's raw text that have alternatives, in text order (what analyzeQuery uses). */
  corrections(index: IndexName, text: string): Promise<Correction[]>;
  /** Vocabulary words starting with `prefix` (or whose pinyin does: `baox` → 报销), most common first. */
  suggest(index: IndexName, prefix: string, limit: number): Promise<string[]>;
  /** The query rewritten with the best alternatives; `null` when nothing better is known. */
  didYouMean(index: IndexName, text: string): Promise<string | null>;
}

/** Words longer than this are not words (hashes, URLs, base64): not worth a row. */
const MAX_WORD_CHARS = 32;
/** Rows per upsert statement. */
const BATCH = 2000;
/** Corrections are remembered briefly: the same query typed again, or paged, costs nothing. */
const MEMO_TTL_MS = 30_000;
const MEMO_MAX = 2000;

export function createVocabulary(db: Queryable): Vocabulary {
  const memo = new Map<string, { at: number; value: Promise<Correction[]> }>();

  const corrections = (index: IndexName, text: string): Promise<Correction[]> => {
    const key = `${index}\u0000${text}`;
    const now = Date.now();
    const hit = memo.get(key);
    if (hit && now - hit.at < MEMO_TTL_MS) return hit.value;
    if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value!);
    const value = findCorrections(db, index, text);
    memo.set(key, { at: now, value });
    value.catch(() => memo.delete(key));
    return value;
  };

  return {
    async record(index, texts) {
      const counts = new Map<string, number>();
      for (const text of texts) {
        for (const word of vocabularyTerms(segmentForIndex(text).split(' '))) {
          const length = [...word].length;
          if (length < 2 || length > MAX_WORD_CHARS || !/\p{L}/u.test(word)) continue;
          counts.set(word, (counts.get(word) ?? 0) + 1);
        }
      }
      // Sorted, so two syncs upserting the same words lock them in the same order.
      const terms = [...counts.keys()].sort();
      for (let i = 0; i < terms.length; i += BATCH) {
        const batch = terms.slice(i, i + BATCH);
        await db.query(
          `insert into search_terms (index_name, term, pinyin, records)
           select $1, t.term, t.pinyin, t.records from unnest($2::text[], $3::text[], $4::int[]) as t(term, pinyin, records)
           on conflict (index_name, term) do update set records = search_terms.records + excluded.records`,
          [index, batch, batch.map(pinyinOf), batch.map((t) => counts.get(t)!)],
        );
      }
      memo.clear();
    },

    async reset(index) {
      await db.query('delete from search_terms where index_name = $1', [index]);
      memo.clear();
    },

    async alternatives(index, word) {
      const best = new Map<string, number>();
      for (const c of await corrections(index, word)) {
        for (const alt of c.alternatives) best.set(alt.word, Math.max(best.get(alt.word) ?? 0, alt.weight));
      }
      return [...best].map(([w, weight]) => ({ word: w, weight })).sort((a, b) => b.weight - a.weight);
    },

    corrections,

    async suggest(index, prefix, limit) {
      const folded = foldText(cleanQueryText(prefix)).trim();
      if (folded === '' || limit <= 0) return [];
      const like = folded.replace(/[\\%_]/g, '\\$&') + '%';
      const byPinyin = /^[a-z]{2,}$/.test(folded);
      const { rows } = await db.query<{ term: string }>(
        `select term from search_terms
          where index_name = $1 and (term like $2 escape '\\' or ($4 and replace(pinyin, ' ', '') like $2 escape '\\'))
            and position(' ' in term) = 0
          order by records desc, length(term), term
          limit $3`,
        [index, like, Math.min(limit, 100), byPinyin],
      );
      return rows.map((r) => r.term);
    },

    async didYouMean(index, text) {
      let node: QueryNode | null;
      try {
        node = parseQuery(text, index);
      } catch {
        return null; // a query that does not parse gets its syntax error, not a guess
      }
      const clean = cleanQueryText(text);
      const edits: { start: number; end: number; word: string }[] = [];
      for (const leaf of searchedLeaves(node, index)) {
        let reached = 0;
        for (const c of await corrections(index, leaf.text)) {
          if (c.start < reached) continue; // overlaps a longer fix already taken
          edits.push({ start: leaf.position + c.start, end: leaf.position + c.end, word: joinedTerm(c.alternatives[0]!.word) });
          reached = c.end;
        }
      }
      if (edits.length === 0) return null;
      let out = clean;
      for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.word + out.slice(e.end);
      return out.trim() === clean.trim() ? null : out.trim();
    },
  };
}

/** The text and phrase leaves searched for (not negated, on text fields). */
function searchedLeaves(node: QueryNode | null, index: IndexName): { text: string; position: number }[] {
  if (!node) return [];
  switch (node.kind) {
    case 'text':
    case 'phrase':
      return node.field === undefined || INDEXES[index].fields[node.field]?.type === 'text' ? [node] : [];
    case 'and':
    case 'or':
      return node.children.flatMap((c) => searchedLeaves(c, index));
    case 'not':
      return [];
  }
}

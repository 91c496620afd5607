/**
 * Inverse document frequency, BM25's: a rare word weighs more than a common one
 * (ts_rank_cd alone counts every word alike). Frequencies come from the shared
 * vocabulary (`search_terms.records`, kept by lib/search/vocabulary.ts); a word it
 * does not know counts as rare, so without a vocabulary every word weighs the same.
 * The number of records is the planner's estimate (exact counts of a million rows
 * would cost more than the search), counted only while the table was never analyzed.
 */
import type { Queryable } from '../../../db/index.ts';
import type { IndexName } from '../../indexes.ts';
import type { RankTerm } from './clause.ts';

const sideTables: Record<IndexName, string> = { documents: 'search_documents', customers: 'search_customers', orders: 'search_orders' };

/** Each text of each term as a term of its own, weighted by its IDF. */
export async function weighByRarity(tx: Queryable, index: IndexName, ranks: RankTerm[]): Promise<RankTerm[]> {
  const texts = [...new Set(ranks.flatMap((t) => t.texts))];
  if (texts.length === 0) return ranks;
  const words = [...new Set(texts.flatMap((text) => text.split(' ').filter(Boolean)))];
  // Text cannot hold NUL; such a word is in no vocabulary anyway.
  const known = words.filter((w) => !w.includes('\0'));
  const table = sideTables[index];
  const { rows } = await tx.query<{ term: string | null; records: number | null; n: number }>(
    `with total as (
       select coalesce(nullif(greatest((select reltuples from pg_class where oid = '${table}'::regclass), 0), 0), (select count(*) from ${table}))::float8 as n)
     select t.term, t.records, total.n from total left join search_terms t on t.index_name = $1 and t.term = any($2::text[])`,
    [index, known],
  );
  const n = Math.max(1, Number(rows[0]?.n ?? 1));
  const df = new Map(rows.filter((r) => r.term !== null).map((r) => [r.term!, Math.min(Number(r.records), n)]));
  const idf = (word: string) => Math.log(1 + (n - (df.get(word) ?? 0) + 0.5) / ((df.get(word) ?? 0) + 0.5));
  const rarity = (text: string) => {
    const parts = text.split(' ').filter(Boolean);
    return parts.length === 0 ? 0 : parts.reduce((sum, w) => sum + idf(w), 0) / parts.length;
  };
  return ranks.flatMap((term) => term.texts.map((text) => ({ weight: term.weight * rarity(text), texts: [text], fields: term.fields })));
}

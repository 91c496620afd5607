/**
 * Relevance as SQL: `ts_rank_cd` (cover density, length-normalized) per text field,
 * times the field's boost and the word's fuzzy weight, summed. Documents add their
 * best chunk's score and a recency factor.
 */
import { textFields, type IndexName } from '../../indexes.ts';
import { tsqueryOf, type RankTerm } from './clause.ts';
import { isContent, wordsColumn, type Params } from './sql.ts';

/** 1: rank / (1 + log(length)), so a long chunk is not better for being long. */
const NORMALIZATION = 1;

const rankOf = (vector: string, query: string) => `ts_rank_cd(${vector}, ${query}, ${NORMALIZATION})`;

/** Σ weight × boost × rank over the fields a row holds itself (not documents' chunks). */
export function rowScore(index: IndexName, ranks: RankTerm[], params: Params): string {
  const parts = ranks.flatMap((term) => {
    const fields = term.fields.filter(({ field }) => !isContent(index, field));
    if (fields.length === 0) return [];
    const query = tsqueryOf(term.texts, params);
    return fields.map(({ field, boost }) => `${term.weight * boost} * ${rankOf(wordsColumn(index, field), query)}`);
  });
  return parts.length === 0 ? '0' : parts.join(' + ');
}

/** A chunk's score: Σ weight × boost(content) × rank over the terms that search content, and their query. */
export function chunkScore(ranks: RankTerm[], params: Params): { score: string; query: string } | null {
  const terms = ranks.filter((t) => t.fields.some((f) => f.field === 'content'));
  if (terms.length === 0) return null;
  const boost = textFields('documents').find((f) => f.field === 'content')!.boost;
  const queries = terms.map((t) => tsqueryOf(t.texts, params));
  return {
    score: terms.map((t, i) => `${t.weight * boost} * ${rankOf('c.search_vector', queries[i]!)}`).join(' + '),
    query: queries.length === 1 ? queries[0]! : `(${queries.join(' || ')})`,
  };
}

/** Up to 1.1 for a new document, halving over a year (Elasticsearch's gauss decay with scale 365d, decay 0.5). */
export const RECENCY = `(1 + 0.1 * power(0.5, power(abs(extract(epoch from (now() - d.created_at))) / 31536000.0, 2)))`;


/**
 * A `Clause` as a SQL condition on one record (`d`), and the ranking terms of its
 * positive words. Words become tsqueries with `phraseto_tsquery('simple', $n)`
 * over bound words: PostgreSQL's parser splits each word as it split the indexed
 * text (`to_tsvector('simple', jieba words)`), nothing is ever parsed as tsquery
 * syntax, and a word that is all punctuation simply matches nothing.
 *
 * Conditions stay plain column tests (so the GIN and btree indexes apply); a `not`
 * makes its operand two-valued first (`coalesce(…, false)`), so `not` of a missing
 * value is true, as on Elasticsearch.
 */
import { SearchFieldError } from '../../errors.ts';
import { INDEXES, textFields, type IndexName } from '../../indexes.ts';
import type { Clause } from '../../port.ts';
import { segmentForIndex } from '../../segment.ts';
import { CHUNK_LIMIT, column, instant, isContent, numeric, specOf, wordsColumn, type Params } from './sql.ts';

/**
 * One positive query to rank by: score += weight × Σ boost(field) × rank(field, query).
 * It keeps its texts (any of them, each a word or phrase) rather than placeholders,
 * so a statement that ranks without the full condition binds only what it uses.
 */
export interface RankTerm {
  weight: number;
  texts: string[];
  fields: { field: string; boost: number }[];
}

/** The tsquery of any of `texts`, bound in `params`. */
export function tsqueryOf(texts: string[], params: Params): string {
  const queries = texts.map((text) => tsquery(params, text));
  return queries.length === 1 ? queries[0]! : `(${queries.join(' || ')})`;
}

export interface Translated {
  where: string;
  ranks: RankTerm[];
}

const FALSE = 'false';

export function translateClause(index: IndexName, clause: Clause | null, params: Params): Translated {
  const ranks: RankTerm[] = [];
  const where = clause ? condition(index, clause, params, ranks, false) : 'true';
  return { where, ranks };
}

function condition(index: IndexName, clause: Clause, params: Params, ranks: RankTerm[], negated: boolean): string {
  switch (clause.kind) {
    case 'words':
      return wordsCondition(index, clause, params, ranks, negated);
    case 'phrase': {
      if (clause.words.length === 0) return FALSE;
      const text = clause.words.join(' ');
      const fields = searched(index, clause.field);
      if (!negated) ranks.push({ weight: 1, texts: [text], fields });
      return matchAny(index, fields, tsqueryOf([text], params));
    }
    case 'keyword':
      return keywordCondition(index, clause.field, clause.value, params, ranks, negated);
    case 'and':
      return clause.children.length === 0 ? 'true' : `(${clause.children.map((c) => condition(index, c, params, ranks, negated)).join(' and ')})`;
    case 'or':
      return clause.children.length === 0 ? FALSE : `(${clause.children.map((c) => condition(index, c, params, ranks, negated)).join(' or ')})`;
    case 'not':
      return `(not coalesce(${condition(index, clause.child, params, ranks, !negated)}, false))`;
  }
}

function wordsCondition(index: IndexName, clause: Extract<Clause, { kind: 'words' }>, params: Params, ranks: RankTerm[], negated: boolean): string {
  // Each word once, at the best weight it is asked with.
  const weights = new Map<string, number>();
  for (const match of clause.words) {
    weights.set(match.word, 1);
    for (const alt of match.alternatives) {
      if (alt.weight > 0) weights.set(alt.word, Math.max(weights.get(alt.word) ?? 0, Math.min(alt.weight, 1)));
    }
  }
  if (weights.size === 0) return FALSE;
  const byWeight = new Map<number, string[]>();
  for (const [word, weight] of weights) byWeight.set(weight, [...(byWeight.get(weight) ?? []), word]);
  const fields = searched(index, clause.field);
  if (!negated) for (const [weight, texts] of byWeight) ranks.push({ weight, texts, fields });
  return matchAny(index, fields, tsqueryOf([...weights.keys()], params));
}

const tsquery = (params: Params, words: string) => `phraseto_tsquery('simple', ${params.add(words)})`;

/** The text fields a clause searches: the one it names, or all of them. */
function searched(index: IndexName, field: string | undefined): { field: string; boost: number }[] {
  if (field === undefined) return textFields(index);
  const spec = specOf(index, field);
  if (spec.type !== 'text') throw new SearchFieldError(field, `${field} is not a text field of ${index}`);
  return [{ field, boost: spec.boost ?? 1 }];
}

/** Whether any of `fields` matches `query`; documents' content matches when one of its indexed chunks does. */
export function matchAny(index: IndexName, fields: { field: string }[], query: string): string {
  const tests = fields.map(({ field }) =>
    isContent(index, field)
      ? // Uncorrelated, so it runs once (a semi-join, or a hashed subplan under or/not), from the GIN index.
        `d.id in (select c.document_id from chunks c where c.search_vector @@ ${query} and c.idx < ${CHUNK_LIMIT})`
      : `${wordsColumn(index, field)} @@ ${query}`,
  );
  return tests.length === 1 ? tests[0]! : `(${tests.join(' or ')})`;
}

/** `field:value`: a value the field's type cannot hold matches nothing; a date matches its whole UTC day. */
function keywordCondition(index: IndexName, field: string, value: string, params: Params, ranks: RankTerm[], negated: boolean): string {
  const spec = specOf(index, field);
  const col = column(index, field);
  switch (spec.type) {
    case 'keyword':
      return `${col} = ${params.add(value)}`;
    case 'keywords':
      return `${col} @> array[${params.add(value)}::text]`;
    case 'integer':
    case 'money': {
      const n = numeric(value, spec.type);
      return n === null ? FALSE : `${col} = ${params.add(n)}::${spec.type === 'integer' ? 'bigint' : 'numeric'}`;
    }
    case 'date': {
      const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? instant(value) : null;
      if (day) {
        const next = new Date(Date.parse(day) + 86_400_000).toISOString();
        return `(${col} >= ${params.add(day)}::timestamptz and ${col} < ${params.add(next)}::timestamptz)`;
      }
      const at = instant(value);
      return at === null ? FALSE : `${col} = ${params.add(at)}::timestamptz`;
    }
    case 'text': {
      const words = segmentForIndex(value).split(' ').filter(Boolean);
      return words.length === 0 ? FALSE : condition(index, { kind: 'phrase', field, words }, params, ranks, negated);
    }
  }
}

/** Whether ranking has anything to rank by (else relevance order is recency, then id). */
export const ranksText = (translated: Translated) => translated.ranks.length > 0;

/** The id field is a keyword of every index. */
export const idField = (index: IndexName) => INDEXES[index].id;

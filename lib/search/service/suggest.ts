/**
 * Completions as a person types: titles (documents) or names (customers,
 * products) that start with the prefix, then the tenant's popular queries that
 * do, then words of the index's vocabulary. Read from PostgreSQL, whichever
 * engine searches, so they need no engine round trip.
 */
import type { Queryable } from '../../db/index.ts';
import { popularQueries } from '../analytics.ts';
import type { IndexName } from '../indexes.ts';
import type { Vocabulary } from '../vocabulary.ts';

export type SuggestionKind = 'title' | 'name' | 'query' | 'word';
export interface Suggestion {
  text: string;
  kind: SuggestionKind;
}

export const MAX_SUGGESTIONS = 10;
export const MAX_PREFIX_LENGTH = 100;

/** `LIKE` with the prefix's own `%`, `_` and `\` taken literally (and a btree `text_pattern_ops` index usable). */
const likePrefix = (prefix: string) => `${prefix.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;

async function titlesOrNames(db: Queryable, tenant: string, index: IndexName, prefix: string, limit: number): Promise<Suggestion[]> {
  const pattern = likePrefix(prefix);
  if (index === 'documents') {
    const { rows } = await db.query<{ title: string }>(
      `select title from documents
       where tenant = $1 and status = 'ready' and title is not null and lower(title) like $2
       group by title order by max(created_at) desc, title limit $3`,
      [tenant, pattern, limit],
    );
    return rows.map((r) => ({ text: r.title, kind: 'title' }));
  }
  // Orders are found by their customer's and their product's names.
  const sql =
    index === 'customers'
      ? `select name from customers where lower(name) like $1 group by name order by name limit $2`
      : `select name from (select name from customers where lower(name) like $1
                           union select name from products where lower(name) like $1) names
         order by name limit $2`;
  const { rows } = await db.query<{ name: string }>(sql, [pattern, limit]);
  return rows.map((r) => ({ text: r.name, kind: 'name' }));
}

export async function suggestions(
  db: Queryable,
  vocabulary: Pick<Vocabulary, 'suggest'>,
  tenant: string,
  index: IndexName,
  prefix: string,
  limit = MAX_SUGGESTIONS,
): Promise<Suggestion[]> {
  const typed = prefix.trim();
  if (typed === '') return [];
  const [named, queries, words] = await Promise.all([
    titlesOrNames(db, tenant, index, typed, limit),
    popularQueries(db, tenant, index, typed, limit),
    vocabulary.suggest(index, typed.toLowerCase(), limit),
  ]);
  const seen = new Set<string>();
  const merged: Suggestion[] = [];
  const add = (text: string, kind: SuggestionKind) => {
    const key = text.trim().toLowerCase();
    if (key === '' || seen.has(key) || merged.length >= limit) return;
    seen.add(key);
    merged.push({ text, kind });
  };
  const all: Suggestion[] = [...named, ...queries.map((text) => ({ text, kind: 'query' as const })), ...words.map((text) => ({ text, kind: 'word' as const }))];
  // Every kind gets a share first (half titles or names, then queries, then words), then the rest fills in order.
  const share: Record<SuggestionKind, number> = { title: Math.ceil(limit / 2), name: Math.ceil(limit / 2), query: Math.ceil(limit / 4), word: limit };
  const taken: Record<SuggestionKind, number> = { title: 0, name: 0, query: 0, word: 0 };
  for (const s of all) {
    if (taken[s.kind] < share[s.kind]) {
      const before = merged.length;
      add(s.text, s.kind);
      if (merged.length > before) taken[s.kind] += 1;
    }
  }
  for (const s of all) add(s.text, s.kind);
  return merged;
}

/**
 * A `Clause` as an Elasticsearch bool query. Words are `term` queries on the
 * `*_words` fields (the query side is segmented by the service exactly as the index
 * side was, so no analyzer runs on either), each boosted by its field's boost times
 * its fuzzy weight; documents' content is searched in the nested chunks, best chunk
 * scoring, with inner hits giving that document's best chunks as snippets.
 * Values only ever land in query values, never in field names or scripts:
 * fields come from the catalog.
 */
import type { estypes } from '@elastic/elasticsearch';
import { SearchFieldError } from '../../errors.ts';
import { INDEXES, SEARCH_LIMITS, textFields, type FieldSpec, type IndexName } from '../../indexes.ts';
import type { Clause, Filter, SortField } from '../../port.ts';
import { segmentForIndex } from '../../segment.ts';
import { CHUNKS, CHUNK_WORDS, isChunkField, wordsField } from './mappings.ts';

type Query = estypes.QueryDslQueryContainer;

const MATCH_NONE: Query = { match_none: {} };
const MATCH_ALL: Query = { match_all: {} };

/** Names the inner hits of each positive content match, so the document's best chunks can be gathered. */
export interface Translation {
  innerHits: string[];
}

function specOf(index: IndexName, field: string): FieldSpec {
  if (field === INDEXES[index].id) return { type: 'keyword', filter: true };
  const spec = INDEXES[index].fields[field];
  if (!spec) throw new SearchFieldError(field, `${index} has no field ${field}`);
  return spec;
}

function boostOf(index: IndexName, field: string): number {
  return specOf(index, field).boost ?? 1;
}

/** The text fields a clause searches: the one it names, or all of them. */
function searchedFields(index: IndexName, field: string | undefined): { field: string; boost: number }[] {
  if (field === undefined) return textFields(index);
  if (specOf(index, field).type !== 'text') throw new SearchFieldError(field, `${field} is not a text field of ${index}`);
  return [{ field, boost: boostOf(index, field) }];
}

export function clauseQuery(index: IndexName, clause: Clause, translation: Translation, negated = false): Query {
  switch (clause.kind) {
    case 'words':
    case 'phrase':
      return textQuery(index, clause, translation, negated);
    case 'keyword':
      return keywordQuery(index, clause.field, clause.value);
    case 'and':
      return { bool: { must: clause.children.map((child) => clauseQuery(index, child, translation, negated)) } };
    case 'or':
      return {
        bool: { should: clause.children.map((child) => clauseQuery(index, child, translation, negated)), minimum_should_match: 1 },
      };
    case 'not':
      // must match_all: a `not` standing alone means "everything except".
      return { bool: { must: [MATCH_ALL], must_not: [clauseQuery(index, clause.child, translation, !negated)] } };
  }
}

function textQuery(
  index: IndexName,
  clause: Extract<Clause, { kind: 'words' | 'phrase' }>,
  translation: Translation,
  negated: boolean,
): Query {
  if (clause.words.length === 0) return MATCH_NONE;
  const should: Query[] = [];
  for (const { field, boost } of searchedFields(index, clause.field)) {
    const chunk = isChunkField(index, field);
    const path = chunk ? CHUNK_WORDS : wordsField(field);
    const queries = clause.kind === 'phrase' ? [phraseQuery(path, clause.words, boost)] : wordQueries(path, clause.words, boost);
    if (!chunk) {
      should.push(...queries);
      continue;
    }
    const nested: estypes.QueryDslNestedQuery = {
      path: CHUNKS,
      // The best chunk scores the document: a long document is not better for repeating a word.
      score_mode: 'max',
      query: { bool: { should: queries, minimum_should_match: 1 } },
    };
    if (!negated) {
      const name = `m${translation.innerHits.length}`;
      translation.innerHits.push(name);
      nested.inner_hits = { name, size: 3, _source: { includes: [`${CHUNKS}.idx`, `${CHUNKS}.text`] } };
    }
    should.push({ nested });
  }
  return { bool: { should, minimum_should_match: 1 } };
}

function wordQueries(path: string, words: Extract<Clause, { kind: 'words' }>['words'], boost: number): Query[] {
  const best = new Map<string, number>();
  for (const match of words) {
    best.set(match.word, Math.max(best.get(match.word) ?? 0, 1));
    for (const alt of match.alternatives) best.set(alt.word, Math.max(best.get(alt.word) ?? 0, alt.weight));
  }
  return [...best].map(([word, weight]) => ({ term: { [path]: { value: word, boost: boost * weight } } }));
}

function phraseQuery(path: string, words: string[], boost: number): Query {
  return { match_phrase: { [path]: { query: words.join(' '), boost } } };
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * `field:value`. A value the field's type cannot hold matches nothing (rather
 * than letting Elasticsearch refuse the whole query); a date matches its whole UTC day.
 */
export function keywordQuery(index: IndexName, field: string, value: string): Query {
  const spec = specOf(index, field);
  switch (spec.type) {
    case 'keyword':
    case 'keywords':
      return { term: { [field]: value } };
    case 'integer':
      return /^-?\d{1,15}$/.test(value) ? { term: { [field]: Number(value) } } : MATCH_NONE;
    case 'money': {
      const amount = Number(value);
      return value.trim() !== '' && Number.isFinite(amount) ? { term: { [field]: amount } } : MATCH_NONE;
    }
    case 'date': {
      if (DATE_ONLY.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
        const next = new Date(Date.parse(`${value}T00:00:00Z`) + 86_400_000).toISOString();
        return { range: { [field]: { gte: `${value}T00:00:00Z`, lt: next } } };
      }
      return DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)) ? { term: { [field]: value } } : MATCH_NONE;
    }
    case 'text': {
      const words = segmentForIndex(value).split(' ').filter(Boolean);
      return words.length ? phraseQuery(isChunkField(index, field) ? CHUNK_WORDS : wordsField(field), words, 1) : MATCH_NONE;
    }
  }
}

export function filterQuery(index: IndexName, filter: Filter): Query {
  specOf(index, filter.field);
  if (filter.kind === 'terms') {
    if (filter.values.length === 0) return MATCH_NONE;
    return { terms: { [filter.field]: filter.values.slice(0, SEARCH_LIMITS.maxFilterValues) as estypes.FieldValue[] } };
  }
  const range: Record<string, string | number> = {};
  for (const bound of ['gte', 'gt', 'lte', 'lt'] as const) {
    if (filter[bound] !== undefined) range[bound] = filter[bound];
  }
  return { range: { [filter.field]: range } };
}

/** Tenant and filters: the part of a request that scores nothing. */
export function filterClauses(index: IndexName, tenant: string, filters: Filter[]): Query[] {
  const clauses = filters.map((filter) => filterQuery(index, filter));
  // ERP records belong to the default tenant, which the service alone checks.
  if (index === 'documents') clauses.unshift({ term: { tenant } });
  return clauses;
}

/**
 * Newer documents win ties and close calls: the score is multiplied by up to 1.1,
 * decaying by half over a year. Function-score decay runs without scripts.
 */
export function withRecency(index: IndexName, query: Query): Query {
  if (index !== 'documents') return query;
  return {
    function_score: {
      query,
      functions: [{ weight: 1 }, { gauss: { [INDEXES.documents.dateField]: { origin: 'now', scale: '365d', decay: 0.5 } }, weight: 0.1 }],
      score_mode: 'sum',
      boost_mode: 'multiply',
    },
  };
}

/** Field sorts then id (unique: `search_after` needs a total order); empty: relevance then id. */
export function sortFor(index: IndexName, sort: SortField[]): estypes.SortCombinations[] {
  const id = INDEXES[index].id;
  if (sort.length === 0) return [{ _score: { order: 'desc' } }, { [id]: { order: 'asc' } }];
  const fields: estypes.SortCombinations[] = sort.map(({ field, dir }) => {
    const spec = specOf(index, field);
    if (!spec.sort && field !== id) throw new SearchFieldError(field, `${index} cannot be sorted by ${field}`);
    // Dates come back (and go into `after`) as ISO strings, not epoch millis.
    return { [field]: { order: dir, ...(spec.type === 'date' ? { format: 'strict_date_optional_time' } : {}) } };
  });
  if (!sort.some(({ field }) => field === id)) fields.push({ [id]: { order: 'asc' } });
  return fields;
}

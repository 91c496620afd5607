/**
 * The total, facets and statistics of a search in one pass over the matching
 * records: `group by grouping sets` gives each terms or histogram facet its own
 * groups and `()` the whole set (the total and the statistics). Tags (an array)
 * are counted per document in a statement of their own.
 */
import { SearchFieldError } from '../../errors.ts';
import { HISTOGRAM_FACETS, INDEXES, SEARCH_LIMITS, type IndexName } from '../../indexes.ts';
import type { FacetBucket, FacetRequest, FieldStats } from '../../port.ts';
import type { Queryable } from '../../../db/index.ts';
import { column, specOf } from './sql.ts';

export interface Aggregates {
  total: number;
  facets: Record<string, FacetBucket[]>;
  stats: Record<string, FieldStats>;
}

/** `from`/`where` of the matching records (with their placeholders in `params`). */
export interface Matching {
  from: string;
  where: string;
  params: unknown[];
}

type Row = Record<string, unknown>;

export async function aggregate(tx: Queryable, index: IndexName, facets: FacetRequest[], matching: Matching): Promise<Aggregates> {
  const groups: { facet: FacetRequest; key: string }[] = [];
  const statistics: { facet: FacetRequest; money: boolean; col: string }[] = [];
  const arrays: FacetRequest[] = [];
  for (const facet of facets) {
    const spec = specOf(index, facet.field);
    if (facet.kind === 'stats') {
      if (spec.type !== 'integer' && spec.type !== 'money') throw new SearchFieldError(facet.field, `${facet.field} has no statistics`);
      statistics.push({ facet, money: spec.type === 'money', col: column(index, facet.field) });
    } else if (facet.kind === 'histogram') {
      if (facet.field !== INDEXES[index].dateField) throw new SearchFieldError(facet.field, `${index} histograms are over ${INDEXES[index].dateField}`);
      if (!(HISTOGRAM_FACETS as readonly string[]).includes(facet.interval)) throw new SearchFieldError(facet.name, `no interval ${facet.interval}`);
      // The interval is one of four fixed words, checked above.
      groups.push({ facet, key: `to_char(date_trunc('${facet.interval}', ${column(index, facet.field)} at time zone 'UTC'), 'YYYY-MM-DD')` });
    } else {
      if (!spec.facet || (spec.type !== 'keyword' && spec.type !== 'keywords')) throw new SearchFieldError(facet.field, `${index} has no terms facet on ${facet.field}`);
      if (spec.type === 'keywords') arrays.push(facet);
      else groups.push({ facet, key: column(index, facet.field) });
    }
  }

  const keys = groups.map((g, i) => `${g.key} as k${i}`);
  const measures = statistics.map((s, i) => `${s.col} as m${i}`);
  const inner = `select ${['1 as one', ...keys, ...measures].join(', ')} from ${matching.from} where ${matching.where}`;
  const outputs = [
    'count(*) as n',
    ...groups.map((_, i) => `grouping(k${i}) as g${i}, k${i}`),
    ...statistics.map((s, i) =>
      [`count(m${i}) as c${i}`, `min(m${i})::float8 as lo${i}`, `max(m${i})::float8 as hi${i}`, `${s.money ? `round(avg(m${i}), 2)` : `avg(m${i})`}::float8 as av${i}`, `sum(m${i})::float8 as su${i}`].join(', '),
    ),
  ];
  const sets = [...groups.map((_, i) => `(k${i})`), '()'].join(', ');
  const { rows } = await tx.query<Row>(`select ${outputs.join(', ')} from (${inner}) x group by grouping sets (${sets})`, matching.params);

  const result: Aggregates = { total: 0, facets: {}, stats: {} };
  for (const { facet } of groups) result.facets[facet.name] = [];
  for (const row of rows) {
    const set = groups.findIndex((_, i) => Number(row[`g${i}`]) === 0);
    if (set === -1) {
      result.total = Number(row.n);
      statistics.forEach((s, i) => (result.stats[s.facet.name] = statsOf(row, i)));
    } else if (row[`k${set}`] !== null) {
      result.facets[groups[set]!.facet.name]!.push({ value: String(row[`k${set}`]), count: Number(row.n) });
    }
  }
  for (const { facet } of groups) {
    const buckets = result.facets[facet.name]!;
    result.facets[facet.name] = facet.kind === 'terms' ? topTerms(buckets, facet.size) : byValue(buckets);
  }

  for (const facet of arrays) {
    if (facet.kind !== 'terms') continue;
    const col = column(index, facet.field);
    const { rows: buckets } = await tx.query<{ value: string; count: number }>(
      `select t.value, count(distinct d.id) as count from ${matching.from} cross join lateral unnest(${col}) as t(value)
       where ${matching.where} and t.value is not null group by t.value`,
      matching.params,
    );
    result.facets[facet.name] = topTerms(buckets.map((b) => ({ value: b.value, count: Number(b.count) })), facet.size);
  }
  return result;
}

const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** Count desc then value asc (code points, as Elasticsearch orders keys), at most the facet's size. */
function topTerms(buckets: FacetBucket[], size: number): FacetBucket[] {
  const limit = Math.max(1, Math.min(size, SEARCH_LIMITS.facetSize));
  return buckets.sort((a, b) => b.count - a.count || compare(a.value, b.value)).slice(0, limit);
}

const byValue = (buckets: FacetBucket[]) => buckets.sort((a, b) => compare(a.value, b.value));

function statsOf(row: Row, i: number): FieldStats {
  const count = Number(row[`c${i}`]);
  if (count === 0) return { count: 0, min: null, max: null, avg: null, sum: null };
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return { count, min: num(row[`lo${i}`]), max: num(row[`hi${i}`]), avg: num(row[`av${i}`]), sum: num(row[`su${i}`]) };
}

/** Just the total, when no facet is asked for. */
export async function countMatching(tx: Queryable, matching: Matching): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(`select count(*) as n from ${matching.from} where ${matching.where}`, matching.params);
  return Number(rows[0]?.n ?? 0);
}

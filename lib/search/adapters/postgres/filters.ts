/**
 * Filters, field sorts and `after` (keyset) conditions as SQL on `d`. Fields are
 * checked against the catalog; values are typed in Node and bound.
 */
import { SearchFieldError } from '../../errors.ts';
import { INDEXES, SEARCH_LIMITS, type IndexName } from '../../indexes.ts';
import type { Filter, SortField } from '../../port.ts';
import { column, isoOf, layout, specOf, typedValue, type Params } from './sql.ts';

export function filterConditions(index: IndexName, filters: Filter[], params: Params): string[] {
  return filters.map((filter) => filterCondition(index, filter, params));
}

function filterCondition(index: IndexName, filter: Filter, params: Params): string {
  const spec = specOf(index, filter.field);
  if (!spec.filter) throw new SearchFieldError(filter.field, `${index} cannot be filtered by ${filter.field}`);
  const col = column(index, filter.field);
  if (filter.kind === 'terms') {
    const values = filter.values.slice(0, SEARCH_LIMITS.maxFilterValues).map((v) => typedValue(index, filter.field, v));
    if (values.length === 0) return 'false';
    const cast = values[0]!.cast;
    const list = params.add(values.map((v) => v.value));
    // Tags: any of the values.
    return spec.type === 'keywords' ? `${col} && ${list}::text[]` : `${col} = any(${list}::${cast}[])`;
  }
  const bounds: string[] = [];
  for (const [bound, op] of [['gte', '>='], ['gt', '>'], ['lte', '<='], ['lt', '<']] as const) {
    const raw = filter[bound];
    if (raw === undefined) continue;
    if (spec.type !== 'date' && spec.type !== 'integer' && spec.type !== 'money') {
      throw new SearchFieldError(filter.field, `${filter.field} takes no ranges`);
    }
    const { value, cast } = typedValue(index, filter.field, raw);
    bounds.push(`${col} ${op} ${params.add(value)}::${cast}`);
  }
  return bounds.length === 0 ? 'true' : bounds.join(' and ');
}

interface SortKey {
  field: string;
  dir: 'asc' | 'desc';
  /** The SQL to order by, and what the hit carries as its sort value. */
  sql: string;
  value: string;
  cast: string;
}

/** Field sorts then id (a total order: keyset paging needs one); missing values last, as on Elasticsearch. */
export function sortKeys(index: IndexName, sort: SortField[]): SortKey[] {
  const id = INDEXES[index].id;
  const keys: SortKey[] = sort.map(({ field, dir }) => {
    const spec = specOf(index, field);
    if (!spec.sort && field !== id) throw new SearchFieldError(field, `${index} cannot be sorted by ${field}`);
    if (field === id) return idKey(index, dir);
    const col = column(index, field);
    const value = spec.type === 'date' ? isoOf(col) : spec.type === 'money' || spec.type === 'integer' ? `${col}::float8` : col;
    const cast = spec.type === 'date' ? 'timestamptz' : spec.type === 'integer' ? 'bigint' : spec.type === 'money' ? 'numeric' : 'text';
    return { field, dir, sql: col, value, cast };
  });
  if (!sort.some(({ field }) => field === id)) keys.push(idKey(index, 'asc'));
  return keys;
}

function idKey(index: IndexName, dir: 'asc' | 'desc'): SortKey {
  return { field: INDEXES[index].id, dir, sql: layout[index].idOrder, value: 'd.id', cast: 'text' };
}

export const orderBy = (keys: SortKey[]) => keys.map((k) => `${k.sql} ${k.dir} nulls last`).join(', ');

/**
 * Rows after the previous page's last hit: (k1 after v1) or (k1 = v1 and k2 after v2)…
 * With missing values last, "after v" is "beyond v, or missing", and after a missing
 * value only missing ones follow.
 */
export function afterCondition(index: IndexName, keys: SortKey[], after: (string | number)[] | undefined, params: Params): string {
  if (!after || after.length === 0) return 'true';
  if (after.length !== keys.length) throw new SearchFieldError(keys[0]!.field, 'the cursor does not fit this sort');
  const bound = keys.map((key, i) => {
    const raw = after[i];
    if (raw === null || raw === undefined) return null;
    return key.field === INDEXES[index].id ? params.add(String(raw)) : `${params.add(typedValue(index, key.field, raw).value)}::${key.cast}`;
  });
  const alternatives: string[] = [];
  keys.forEach((key, i) => {
    const equal = keys.slice(0, i).map((k, j) => (bound[j] === null ? `${k.sql} is null` : `${k.sql} = ${bound[j]}`));
    const value = bound[i];
    if (value === null) return; // nothing sorts after a missing value on this key
    const beyond = `(${key.sql} ${key.dir === 'asc' ? '>' : '<'} ${value} or ${key.sql} is null)`;
    alternatives.push([...equal, beyond].join(' and '));
  });
  const first = keys[0]!;
  // A redundant bound on the first key lets an index on it start where the page does.
  const lead = bound[0] !== null && first.field !== INDEXES[index].id ? `(${first.sql} ${first.dir === 'asc' ? '>=' : '<='} ${bound[0]} or ${first.sql} is null) and ` : '';
  return alternatives.length === 0 ? 'false' : `${lead}(${alternatives.join(' or ')})`;
}

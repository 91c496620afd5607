/**
 * The order of a pivot's headers, sorted by arquero: each field ascending with
 * nulls last (arquero puts nulls first, so a null flag sorts before the value),
 * and a group's subtotal right after its last detail (a field rolled up sorts
 * after every value of it).
 */
import { table } from 'arquero';
import type { Value } from './types.ts';

/** A header: the values of its fields, the first `depth` of them grouped (the rest rolled up, null). */
export interface HeaderKey {
  key: Value[];
  depth: number;
}

/**
 * Indexes of `keys` in display order. Sort columns per field i: rolled up (0/1),
 * null (0/1), then the value; periods are `YYYY-MM-DD` text and weekdays
 * integers, so plain ascending order is calendar order.
 */
export function headerOrder(keys: readonly HeaderKey[], width: number): number[] {
  if (keys.length === 0) return [];
  const columns: Record<string, unknown[]> = { index: keys.map((_, i) => i) };
  const sortBy: string[] = [];
  for (let i = 0; i < width; i++) {
    columns[`rolled${i}`] = keys.map((k) => (k.depth > i ? 0 : 1));
    columns[`null${i}`] = keys.map((k) => (k.depth > i && (k.key[i] ?? null) === null ? 1 : 0));
    columns[`value${i}`] = keys.map((k) => (k.depth > i ? (k.key[i] ?? null) : null));
    sortBy.push(`rolled${i}`, `null${i}`, `value${i}`);
  }
  return table(columns).orderby(...sortBy).array('index') as number[];
}

/** The identity of a header's grouped values, for lookups (JSON keeps `1` and `"1"` apart). */
export const keyId = (values: readonly Value[]): string => JSON.stringify(values);

/**
 * What the contract suite expects, computed in Node from the records themselves:
 * which records a clause matches (on the same jieba words both engines index),
 * facets and statistics. Rankings are not recomputed here; the suite checks
 * ordering properties instead (field boosts, weights, ties by id).
 */
import { INDEXES, textFields, type IndexName } from '../../../lib/search/indexes.ts';
import type { Clause, DocumentRecord, FacetBucket, FieldStats, IndexRecord, LexicalRequest } from '../../../lib/search/port.ts';
import { segmentForIndex } from '../../../lib/search/segment.ts';

const tokens = (text: string | null | undefined) => (text ? segmentForIndex(text).split(' ').filter(Boolean) : []);

/** Each text field of a record as lists of words (documents: one list per chunk for `content`). */
function textOf(index: IndexName, record: IndexRecord): Record<string, string[][]> {
  if (index === 'documents') {
    const d = record as DocumentRecord;
    return { title: [tokens(d.title)], content: d.chunks.map((c) => tokens(c.text)) };
  }
  const fields = record as unknown as Record<string, string | null>;
  return Object.fromEntries(textFields(index).map(({ field }) => [field, [tokens(fields[field])]]));
}

function fieldsFor(index: IndexName, field: string | undefined): string[] {
  return field ? [field] : textFields(index).map((f) => f.field);
}

const hasRun = (list: string[], words: string[]) =>
  list.some((_, i) => words.every((w, j) => list[i + j] === w));

export function matches(index: IndexName, record: IndexRecord, clause: Clause | null): boolean {
  if (!clause) return true;
  const text = textOf(index, record);
  switch (clause.kind) {
    case 'words': {
      const wanted = new Set(clause.words.flatMap((w) => [w.word, ...w.alternatives.map((a) => a.word)]));
      return fieldsFor(index, clause.field).some((f) => (text[f] ?? []).some((list) => list.some((w) => wanted.has(w))));
    }
    case 'phrase':
      return fieldsFor(index, clause.field).some((f) => (text[f] ?? []).some((list) => hasRun(list, clause.words)));
    case 'keyword': {
      const value = (record as unknown as Record<string, unknown>)[clause.field];
      return Array.isArray(value) ? value.includes(clause.value) : String(value) === clause.value;
    }
    case 'and':
      return clause.children.every((c) => matches(index, record, c));
    case 'or':
      return clause.children.some((c) => matches(index, record, c));
    case 'not':
      return !matches(index, record, clause.child);
  }
}

function passesFilters(record: IndexRecord, request: Pick<LexicalRequest, 'filters'>): boolean {
  const fields = record as unknown as Record<string, unknown>;
  return request.filters.every((filter) => {
    const value = fields[filter.field];
    if (filter.kind === 'terms') {
      const values = Array.isArray(value) ? value : [value];
      return values.some((v) => filter.values.includes(v as string | number));
    }
    if (value === null || value === undefined) return false;
    const comparable = (v: string | number) => (typeof v === 'number' ? v : Date.parse(v));
    const actual = comparable(value as string | number);
    return (
      (filter.gte === undefined || actual >= comparable(filter.gte)) &&
      (filter.gt === undefined || actual > comparable(filter.gt)) &&
      (filter.lte === undefined || actual <= comparable(filter.lte)) &&
      (filter.lt === undefined || actual < comparable(filter.lt))
    );
  });
}

/** The ids a request should find among `records` (already only the tenant's), sorted. */
export function expectedIds(index: IndexName, records: IndexRecord[], request: Pick<LexicalRequest, 'clause' | 'filters'>): string[] {
  return records
    .filter((r) => matches(index, r, request.clause) && passesFilters(r, request))
    .map((r) => r.id)
    .sort();
}

export function expectedRecords(index: IndexName, records: IndexRecord[], request: Pick<LexicalRequest, 'clause' | 'filters'>): IndexRecord[] {
  const ids = new Set(expectedIds(index, records, request));
  return records.filter((r) => ids.has(r.id));
}

export function termsFacet(records: IndexRecord[], field: string, size: number): FacetBucket[] {
  const counts = new Map<string, number>();
  for (const record of records) {
    const value = (record as unknown as Record<string, unknown>)[field];
    for (const v of new Set(Array.isArray(value) ? value : [value])) if (v !== null && v !== undefined) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  }
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    .slice(0, size);
}

/** Bucket start in UTC as an ISO date; weeks start on Monday. */
export function bucketOf(iso: string, interval: 'day' | 'week' | 'month' | 'year'): string {
  const d = new Date(iso);
  const start =
    interval === 'year'
      ? Date.UTC(d.getUTCFullYear(), 0, 1)
      : interval === 'month'
        ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
        : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - (interval === 'week' ? (d.getUTCDay() + 6) % 7 : 0));
  return new Date(start).toISOString().slice(0, 10);
}

export function histogramFacet(index: IndexName, records: IndexRecord[], interval: 'day' | 'week' | 'month' | 'year'): FacetBucket[] {
  const counts = new Map<string, number>();
  const field = INDEXES[index].dateField;
  for (const record of records) {
    const value = (record as unknown as Record<string, string | null>)[field];
    if (value) counts.set(bucketOf(value, interval), (counts.get(bucketOf(value, interval)) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([value, count]) => ({ value, count }));
}

/** Statistics of a number field; sums in cents so money is exact. */
export function statsOf(records: IndexRecord[], field: string): FieldStats {
  const values = records.map((r) => (r as unknown as Record<string, number | null>)[field]).filter((v): v is number => typeof v === 'number');
  if (values.length === 0) return { count: 0, min: null, max: null, avg: null, sum: null };
  const sumCents = values.reduce((s, v) => s + Math.round(v * 100), 0);
  return { count: values.length, min: Math.min(...values), max: Math.max(...values), avg: sumCents / 100 / values.length, sum: sumCents / 100 };
}

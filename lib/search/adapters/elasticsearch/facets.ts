/**
 * Facets as aggregations: terms (count desc, then value asc), date histograms in
 * UTC keyed by the bucket's start date, stats. A documents hit is one Elasticsearch
 * document, so every count is a count of documents, not of chunks.
 */
import type { estypes } from '@elastic/elasticsearch';
import { INDEXES, SEARCH_LIMITS, type IndexName } from '../../indexes.ts';
import type { FacetBucket, FacetRequest, FieldStats } from '../../port.ts';

/** Aggregation names are positional (`f0`, `f1`…): a facet's name never reaches the request. */
export function facetAggregations(facets: FacetRequest[]): Record<string, estypes.AggregationsAggregationContainer> {
  const aggs: Record<string, estypes.AggregationsAggregationContainer> = {};
  facets.forEach((facet, i) => {
    const name = `f${i}`;
    if (facet.kind === 'terms') {
      aggs[name] = {
        terms: {
          field: facet.field,
          size: Math.max(1, Math.min(facet.size, SEARCH_LIMITS.facetSize)),
          order: [{ _count: 'desc' }, { _key: 'asc' }],
        },
      };
    } else if (facet.kind === 'histogram') {
      aggs[name] = {
        date_histogram: {
          field: facet.field,
          calendar_interval: facet.interval,
          time_zone: 'UTC',
          format: 'yyyy-MM-dd',
          min_doc_count: 1,
        },
      };
    } else {
      aggs[name] = { stats: { field: facet.field } };
    }
  });
  return aggs;
}

const cents = (value: number) => Math.round(value * 100) / 100;

export function readFacets(
  index: IndexName,
  facets: FacetRequest[],
  aggregations: Record<string, estypes.AggregationsAggregate> | undefined,
): { facets: Record<string, FacetBucket[]>; stats: Record<string, FieldStats> } {
  const result = { facets: {} as Record<string, FacetBucket[]>, stats: {} as Record<string, FieldStats> };
  facets.forEach((facet, i) => {
    const aggregate = aggregations?.[`f${i}`];
    if (facet.kind === 'stats') {
      result.stats[facet.name] = readStats(index, facet.field, aggregate as estypes.AggregationsStatsAggregate | undefined);
      return;
    }
    const buckets = ((aggregate as { buckets?: unknown } | undefined)?.buckets ?? []) as {
      key: string | number;
      key_as_string?: string;
      doc_count: number;
    }[];
    result.facets[facet.name] = buckets.map((bucket) => ({
      value: facet.kind === 'histogram' ? (bucket.key_as_string ?? String(bucket.key)) : bucket.key,
      count: bucket.doc_count,
    }));
  });
  return result;
}

function readStats(index: IndexName, field: string, aggregate: estypes.AggregationsStatsAggregate | undefined): FieldStats {
  const count = aggregate?.count ?? 0;
  if (!aggregate || count === 0) return { count: 0, min: null, max: null, avg: null, sum: null };
  // Money is a double per record (exact to the cent once rounded); sums and averages are rounded back to cents.
  const round = INDEXES[index].fields[field]?.type === 'money' ? cents : (value: number) => value;
  const num = (value: number | null | undefined) => (value === null || value === undefined ? null : round(value));
  return { count, min: num(aggregate.min), max: num(aggregate.max), avg: num(aggregate.avg), sum: round(aggregate.sum) };
}

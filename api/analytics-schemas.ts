/**
 * Shapes of the analytics API's inputs, as zod schemas: routes validate with
 * them and the OpenAPI document is generated from them. Types and bounds only:
 * whether a name is in the catalog, and whether a value fits its field, is the
 * engine's to check (lib/analytics), which answers 400 naming the field too.
 */
import { z } from 'zod';
import { AGGREGATIONS, ANALYTICS_LIMITS, FILTER_OPS, TIME_GRAINS } from '../lib/analytics/types.ts';

const NO_NUL = /^[^\u0000]*$/;

/** A catalog name: a source, a field, a grain. Anything else (a quote, a space, SQL) is refused here. */
export const analyticsName = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'a name from GET /v1/analytics/datasets (lower-case letters, digits and _)');

/** A result column's name, chosen by the caller (`as`). */
export const columnAlias = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'letters, digits and _, starting with a letter or _ (at most 63)');

export const scalarValue = z.union([
  z.string().max(ANALYTICS_LIMITS.maxValueLength).regex(NO_NUL, 'must not contain NUL characters'),
  z.number().finite(),
  z.boolean(),
  z.null(),
]);

export const measureSchema = z.strictObject({
  field: analyticsName,
  agg: z.enum(AGGREGATIONS),
  as: columnAlias.optional(),
});

export const filterSchema = z.strictObject({
  field: analyticsName,
  op: z.enum(FILTER_OPS),
  value: z.union([scalarValue, z.array(scalarValue).max(ANALYTICS_LIMITS.maxInValues)]),
});

export const sortSchema = z.strictObject({
  field: columnAlias,
  dir: z.enum(['asc', 'desc']).default('asc'),
});

export const dimensionsSchema = z.array(analyticsName).max(ANALYTICS_LIMITS.maxDimensions, `at most ${ANALYTICS_LIMITS.maxDimensions} dimensions`);
export const measuresSchema = z.array(measureSchema).max(ANALYTICS_LIMITS.maxMeasures, `at most ${ANALYTICS_LIMITS.maxMeasures} measures`);
export const filtersSchema = z.array(filterSchema).max(ANALYTICS_LIMITS.maxFilters, `at most ${ANALYTICS_LIMITS.maxFilters} filters`);

/** POST /v1/analytics/query. */
export const querySchema = z.strictObject({
  source: analyticsName,
  dimensions: dimensionsSchema.default([]),
  measures: measuresSchema.min(1, 'ask for at least one measure'),
  filters: filtersSchema.default([]),
  sort: z.array(sortSchema).max(ANALYTICS_LIMITS.maxSort).default([]),
  limit: z.number().int().min(1).max(ANALYTICS_LIMITS.maxLimit).default(ANALYTICS_LIMITS.defaultLimit),
});

/** A calendar date, `YYYY-MM-DD`; whether it exists (no 2025-02-30) is checked by the engine. */
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

/** The grains a time series can have (weekday is a dimension, not a series). */
export const seriesGrain = z.enum(TIME_GRAINS.filter((g) => g !== 'weekday') as ['day', 'week', 'month', 'quarter', 'year']);

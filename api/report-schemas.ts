/**
 * Shapes of the reports API's inputs (zod; the OpenAPI document is generated from
 * them). Types and bounds only: names against the catalog, pivot fields against
 * the dimensions and charts against the report are checked by lib/reports/spec.ts,
 * which answers 400 naming the field as well.
 */
import { z } from 'zod';
import { ANALYTICS_LIMITS } from '../lib/analytics/types.ts';
import { REPORT_ID_PATTERN, TEMPLATE_ID_PATTERN } from '../lib/reports/ids.ts';
import { PARAMETER_TYPES } from '../lib/reports/templates.ts';
import { CHART_TYPES, REPORT_FORMATS } from '../lib/reports/types.ts';
import { analyticsName, columnAlias, dimensionsSchema, filtersSchema, isoDate, measuresSchema, seriesGrain, sortSchema } from './analytics-schemas.ts';
import { listQuery, TEXT_PATTERN } from './schemas.ts';

/** A title a person typed: printed in the files and their names, so no NUL and not blank. */
export const reportTitle = z.string().max(200).regex(TEXT_PATTERN, 'must not be blank nor contain NUL characters').trim();

export const reportFormats = z
  .array(z.enum(REPORT_FORMATS))
  .min(1, 'ask for at least one format')
  .max(REPORT_FORMATS.length)
  .refine((f) => new Set(f).size === f.length, 'each format once');

const chartSpecSchema = z.strictObject({
  type: z.enum(CHART_TYPES),
  title: reportTitle.optional(),
  dimension: analyticsName.optional(),
  series: analyticsName.optional(),
  measure: columnAlias.optional(),
  view: z.enum(['data', 'forecast', 'anomalies']).optional(),
});

const horizon = z.number().int().min(1).max(ANALYTICS_LIMITS.maxHorizon, `at most ${ANALYTICS_LIMITS.maxHorizon} periods`);

/** POST /v1/reports with the whole spec (lib/reports/types.ts ReportSpec). */
export const reportSpecSchema = z.strictObject({
  title: reportTitle,
  source: analyticsName,
  dimensions: dimensionsSchema.default([]),
  measures: measuresSchema.min(1, 'ask for at least one measure'),
  filters: filtersSchema.default([]),
  sort: z.array(sortSchema).max(ANALYTICS_LIMITS.maxSort).optional(),
  limit: z.number().int().min(1).max(ANALYTICS_LIMITS.maxLimit).optional(),
  pivot: z
    .strictObject({
      rows: z.array(analyticsName).min(1, 'at least one row field').max(ANALYTICS_LIMITS.maxDimensions),
      columns: z.array(analyticsName).max(ANALYTICS_LIMITS.maxDimensions).default([]),
      shares: z.array(z.enum(['row', 'column', 'total'])).max(3).optional(),
    })
    .optional(),
  forecast: z
    .strictObject({ measure: columnAlias.optional(), granularity: seriesGrain, trainFrom: isoDate, trainTo: isoDate, horizon })
    .optional(),
  anomalies: z.strictObject({ measure: columnAlias.optional(), granularity: seriesGrain, from: isoDate, to: isoDate }).optional(),
  charts: z.array(chartSpecSchema).max(12, 'at most 12 charts').optional(),
  formats: reportFormats,
});

export const templateId = z.string().regex(new RegExp(TEMPLATE_ID_PATTERN), 'a template id: tpl_ and 24 hex characters');
export const reportId = z.string().regex(new RegExp(REPORT_ID_PATTERN), 'a report id: rpt_ and 24 hex characters');

const parameterValue = z.union([z.string().max(200), z.number().finite()]);

/** POST /v1/reports from a template: its parameters' values, and optionally another title or formats. */
export const reportFromTemplateSchema = z.strictObject({
  templateId,
  parameters: z.record(z.string().max(63), parameterValue).default({}),
  title: reportTitle.optional(),
  formats: reportFormats.optional(),
});

const parameterName = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'lower-case letters, digits and _, starting with a letter');

export const templateParameterSchema = z.strictObject({
  name: parameterName,
  type: z.enum(PARAMETER_TYPES),
  default: parameterValue.optional(),
  description: z.string().max(500).regex(/^[^\u0000]*$/, 'must not contain NUL characters').optional(),
});

/**
 * A template: the report body, whose values may be `{ "param": name }` (or, for a
 * relative range, `{ "param": name, "part": "from" | "to" }`); the body is checked
 * as a report with each parameter at its default (or a stand-in) when saved.
 */
export const templateSchema = z.strictObject({
  name: reportTitle,
  description: z.string().max(2000).regex(/^[^\u0000]*$/, 'must not contain NUL characters').nullable().default(null),
  parameters: z
    .array(templateParameterSchema)
    .max(20)
    .refine((ps) => new Set(ps.map((p) => p.name)).size === ps.length, 'each parameter name once')
    .default([]),
  spec: z.record(z.string(), z.unknown()),
});

export const reportListQuery = z.strictObject({ limit: listQuery.shape.limit, cursor: listQuery.shape.cursor });
export const reportCursor = z.object({ createdAt: z.string(), id: reportId });
export const templateCursor = z.object({ id: templateId });

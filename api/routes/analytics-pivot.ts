/**
 * POST /v1/analytics/pivot and POST /v1/analytics/drill: a pivot table of a
 * dataset, and the rows under one of its cells. Both answer through the
 * analytics cache (same question, same key; dropped on an ERP import).
 */
import { Router } from 'express';
import { z } from 'zod';
import type { AnalyticsAnswers } from '../../lib/analytics/answers.ts';
import { drillCell } from '../../lib/analytics/pivot-drill.ts';
import { pivotQuery } from '../../lib/analytics/pivot.ts';
import type { AnalyticsEngine } from '../../lib/analytics/port.ts';
import { ANALYTICS_LIMITS } from '../../lib/analytics/types.ts';
import { analyticsName, dimensionsSchema, filtersSchema, measuresSchema, scalarValue } from '../analytics-schemas.ts';
import { parseInput } from '../validate.ts';
import { analyticsAccess } from './analytics-access.ts';
import { analyticsBody } from './analytics.ts';

export const SHARE_KINDS = ['row', 'column', 'total'] as const;

export const pivotSchema = z.strictObject({
  source: analyticsName,
  rows: dimensionsSchema.min(1, 'a pivot needs at least one row field'),
  columns: dimensionsSchema.default([]),
  measures: measuresSchema.min(1, 'ask for at least one measure'),
  filters: filtersSchema.default([]),
  shares: z
    .array(z.enum(SHARE_KINDS))
    .max(SHARE_KINDS.length)
    .default([])
    .describe('shares of row, column and grand total to add, as fractions; null for non-additive measures (avg, min, count_distinct …)'),
});

export const drillSchema = z.strictObject({
  source: analyticsName,
  filters: filtersSchema.default([]).describe('the pivot’s own filters, as it had them'),
  cell: z
    .record(analyticsName, scalarValue)
    .describe('the cell’s header values by field (a period as its first day, YYYY-MM-DD; a weekday 1 … 7); fewer fields for a subtotal, none for the grand total'),
  fields: z.array(analyticsName).max(64).optional().describe('fields to return; default all of the dataset’s'),
  limit: z.number().int().min(1).max(ANALYTICS_LIMITS.maxPageSize).default(100),
  after: z.string().min(1).max(ANALYTICS_LIMITS.maxValueLength).optional().describe('the `next` of the previous page'),
});

export interface AnalyticsPivotRouterDeps {
  engine: AnalyticsEngine;
  answers: AnalyticsAnswers;
}

export function createAnalyticsPivotRouter({ engine, answers }: AnalyticsPivotRouterDeps): Router {
  const router = Router();
  router.post('/pivot', ...analyticsAccess, async (req, res) => {
    const request = parseInput(pivotSchema, await analyticsBody(req, res));
    // A share kind named twice is the same question, and the same cache key.
    const parsed = { ...request, shares: [...new Set(request.shares)] };
    res.json(await answers.answer('pivot', parsed, () => pivotQuery(engine, parsed)));
  });

  router.post('/drill', ...analyticsAccess, async (req, res) => {
    const request = parseInput(drillSchema, await analyticsBody(req, res));
    res.json(await answers.answer('rows', request, () => drillCell(engine, request)));
  });

  return router;
}

/**
 * POST /v1/analytics/forecast and POST /v1/analytics/anomalies: a measure over
 * time, forecast with its measured error, or searched for unusual periods.
 * Both answer through the analytics cache (same question, same key; dropped on
 * an ERP import), so a dashboard refreshing does not refit the model.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { detectAnomalies } from '../../lib/analytics/anomalies.ts';
import type { AnalyticsAnswers } from '../../lib/analytics/answers.ts';
import { DEFAULT_LEVEL, forecastSeries } from '../../lib/analytics/forecast.ts';
import type { AnalyticsEngine } from '../../lib/analytics/port.ts';
import { ANALYTICS_LIMITS } from '../../lib/analytics/types.ts';
import { analyticsName, filtersSchema, isoDate, measureSchema, seriesGrain } from '../analytics-schemas.ts';
import { createJsonBodyReader } from '../json-body.ts';
import { HttpProblem } from '../problem.ts';
import { parseInput } from '../validate.ts';
import { analyticsAccess } from './analytics-access.ts';

const seriesFields = {
  source: analyticsName,
  measure: measureSchema.describe('the measure per period, e.g. { "field": "id", "agg": "count" } for orders a day'),
  granularity: seriesGrain.describe('the period: day, week (from Monday), month, quarter or year'),
  filters: filtersSchema.default([]),
};

export const forecastSchema = z.strictObject({
  ...seriesFields,
  trainFrom: isoDate.describe('first day trained on (widened to the start of its period)'),
  trainTo: isoDate.describe('last day trained on (widened to the end of its period); the forecast starts with the next period'),
  horizon: z.number().int().min(1).max(ANALYTICS_LIMITS.maxHorizon).describe('periods to forecast'),
  level: z.number().min(0.5).max(0.99).default(DEFAULT_LEVEL).describe('prediction interval level'),
});

export const anomaliesSchema = z.strictObject({
  ...seriesFields,
  from: isoDate.describe('first day examined (widened to the start of its period)'),
  to: isoDate.describe('last day examined (widened to the end of its period)'),
  series: z.boolean().default(false).describe('also answer the whole series with the expected value at each period'),
});

export interface AnalyticsSeriesRouterDeps {
  engine: AnalyticsEngine;
  answers: AnalyticsAnswers;
}

export function createAnalyticsSeriesRouter({ engine, answers }: AnalyticsSeriesRouterDeps): Router {
  const router = Router();
  const readJson = createJsonBodyReader(64 * 1024, { code: 'E_BODY_TOO_LARGE', detail: 'the JSON body exceeds 64 KiB' });
  const bodyOf = async (req: Request, res: Response) => {
    if (!req.is('application/json')) {
      throw new HttpProblem(415, 'Unsupported media type', 'send the request as application/json', { code: 'E_UNSUPPORTED_MEDIA_TYPE' });
    }
    return (await readJson(req, res)) ?? {};
  };

  router.post('/forecast', ...analyticsAccess, async (req, res) => {
    const request = parseInput(forecastSchema, await bodyOf(req, res));
    res.json(await answers.answer('forecast', request, () => forecastSeries(engine, request)));
  });

  router.post('/anomalies', ...analyticsAccess, async (req, res) => {
    const { series, ...request } = parseInput(anomaliesSchema, await bodyOf(req, res));
    // One cached answer per question, with the series; leaving it out is the route's business.
    const result = await answers.answer('anomalies', request, () => detectAnomalies(engine, request));
    res.json(series ? result : { anomalies: result.anomalies, method: result.method });
  });

  return router;
}

import { Router, type Request, type Response } from 'express';
import { DATASETS, datasetOf, datasetView } from '../../lib/analytics/catalog.ts';
import type { AnalyticsAnswers } from '../../lib/analytics/answers.ts';
import type { AnalyticsEngine } from '../../lib/analytics/port.ts';
import { querySchema } from '../analytics-schemas.ts';
import { createJsonBodyReader } from '../json-body.ts';
import { HttpProblem } from '../problem.ts';
import { parseInput } from '../validate.ts';
import { analyticsAccess } from './analytics-access.ts';

export interface AnalyticsRouterDeps {
  engine: AnalyticsEngine;
  /** Answers through the cache (tag `erp`): an equal question within the TTL is not asked of the database again. */
  answers: AnalyticsAnswers;
}

/** A query is a few hundred bytes; 64 KiB leaves room for long `in` lists and nothing more. */
const readJson = createJsonBodyReader(64 * 1024, { code: 'E_BODY_TOO_LARGE', detail: 'the JSON body exceeds 64 KiB' });

/** The request's JSON body, or 415 when it is sent as something else. */
export async function analyticsBody(req: Request, res: Response): Promise<unknown> {
  if (!req.is('application/json')) {
    throw new HttpProblem(415, 'Unsupported media type', 'send the request as application/json', { code: 'E_UNSUPPORTED_MEDIA_TYPE' });
  }
  return (await readJson(req, res)) ?? {};
}

/** The catalog (GET /v1/analytics/datasets) and the query API (POST /v1/analytics/query). */
export function createAnalyticsRouter({ engine, answers }: AnalyticsRouterDeps): Router {
  const router = Router();

  router.get('/datasets', ...analyticsAccess, (_req, res) => {
    res.json({ datasets: Object.values(DATASETS).map(datasetView) });
  });

  router.get('/datasets/:name', ...analyticsAccess, (req, res) => {
    const dataset = datasetOf(String(req.params.name));
    if (!dataset) throw new HttpProblem(404, 'Not found', 'no such dataset', { code: 'E_NOT_FOUND' });
    res.json(datasetView(dataset));
  });

  /** Aggregation pushed down to the database; the parsed request (defaults filled) is the cache key. */
  router.post('/query', ...analyticsAccess, async (req, res) => {
    const query = parseInput(querySchema, await analyticsBody(req, res));
    res.json(await answers.answer('query', query, () => engine.query(query)));
  });

  return router;
}

import { Router } from 'express';
import { z } from 'zod';
import type { SearchSync } from '../../client/search-sync.ts';
import type { Cache } from '../../lib/cache/index.ts';
import { INDEX_NAMES } from '../../lib/search/indexes.ts';
import { createJsonBodyReader } from '../json-body.ts';
import { requireScope } from '../middleware/auth.ts';
import { HttpProblem } from '../problem.ts';
import { parseInput } from '../validate.ts';

/** The body of POST /v1/admin/search/rebuild. */
export const searchRebuildRequest = z.strictObject({ index: z.enum(INDEX_NAMES) });
/** Its answer: the rebuild runs in the one search-sync workflow. */
export const searchRebuildView = z.object({ id: z.enum(INDEX_NAMES), workflowId: z.string(), status: z.literal('running') });

/**
 * Operations' view of this API process: the cache's counters per tier and its
 * busiest keys; and rebuilding a search index from scratch. Keys name tenants and a
 * rebuild touches every tenant's documents, so only the operator (`tenants` scope) may.
 */
export function createAdminRouter({ cache, searchSync }: { cache: Cache; searchSync?: SearchSync }): Router {
  const router = Router();
  router.use(requireScope('tenants'));
  router.get('/cache', (_req, res) => {
    res.set('cache-control', 'no-store').json({ metrics: cache.metrics(), hotKeys: cache.hotKeys(20) });
  });

  const readJson = createJsonBodyReader(16 * 1024, { code: 'E_BODY_TOO_LARGE', detail: 'the JSON body exceeds 16 KiB' });
  router.post('/search/rebuild', async (req, res) => {
    const body = req.is('application/json') ? ((await readJson(req, res)) ?? {}) : {};
    const { index } = parseInput(searchRebuildRequest, body);
    if (!searchSync) {
      throw new HttpProblem(503, 'Service unavailable', 'search rebuilds are not available in this process', { code: 'E_NOT_AVAILABLE' });
    }
    // Searches keep answering from the old index until the new one is swapped in.
    const { workflowId } = await searchSync.request({ rebuild: [index] });
    res.status(202).json({ id: index, workflowId, status: 'running' });
  });
  return router;
}

import { Router } from 'express';
import type { Cache } from '../../lib/cache/index.ts';
import { requireScope } from '../middleware/auth.ts';

/**
 * Operations' view of this API process: the cache's counters per tier and its
 * busiest keys. Keys name tenants, so only the operator (`tenants` scope) sees it.
 */
export function createAdminRouter({ cache }: { cache: Cache }): Router {
  const router = Router();
  router.use(requireScope('tenants'));
  router.get('/cache', (_req, res) => {
    res.set('cache-control', 'no-store').json({ metrics: cache.metrics(), hotKeys: cache.hotKeys(20) });
  });
  return router;
}

import { Router } from 'express';
import type { Connection } from '@temporalio/client';
import type { Database } from '../../lib/db/index.ts';
import type { Embedder } from '../../lib/embeddings/port.ts';

interface HealthDeps {
  db: Database;
  embedder: Embedder;
  temporal: Connection;
}

const withTimeout = <T>(work: Promise<T>, ms: number) =>
  Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);

/** `/healthz`: the process is up. `/readyz`: it can do its work (Temporal, database, model). */
export function createHealthRouter(deps: HealthDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const checks: Record<string, () => Promise<unknown>> = {
      temporal: () => deps.temporal.workflowService.getSystemInfo({}),
      database: () => deps.db.query('select 1'),
      model: () => deps.embedder.embedQuery('ready'),
    };
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        const started = performance.now();
        try {
          await withTimeout(check(), 3000);
          return [name, { ok: true, ms: Math.round(performance.now() - started) }] as const;
        } catch (error) {
          return [name, { ok: false, error: (error as Error).message }] as const;
        }
      }),
    );
    const ready = results.every(([, r]) => r.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) });
  });
  return router;
}

import { Router } from 'express';
import type { Connection } from '@temporalio/client';
import type { Database } from '../../lib/db/index.ts';
import type { Embedder } from '../../lib/embeddings/port.ts';

interface HealthDeps {
  db: Database;
  embedder: Embedder;
  temporal: Connection;
}

/** A probe that hangs is an answer too: after this long the check counts as failed. */
const CHECK_TIMEOUT_MS = 2000;

function withinTimeout(work: () => unknown, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([Promise.resolve().then(work), expired])
    .then(() => undefined)
    .finally(() => clearTimeout(timer));
}

/**
 * `/healthz`: the process is up. `/readyz`: it can do its work (Temporal, database,
 * model). Probes come every few seconds, so each check is cheap: one round trip to
 * Temporal and to the database, and the model's own `health()` (no inference; the
 * model answered once when the platform was created). Callers see only which
 * check failed; the reason goes to the log, once per change.
 */
export function createHealthRouter(deps: HealthDeps): Router {
  const router = Router();
  const checks: Record<string, () => unknown> = {
    temporal: () => deps.temporal.workflowService.getSystemInfo({}),
    database: () => deps.db.query('select 1'),
    model: () => {
      const health = deps.embedder.health();
      if (!health.ok) throw new Error(health.reason);
    },
  };
  const lastFailure = new Map<string, string>();
  const remember = (name: string, failure: string | undefined) => {
    if (failure === lastFailure.get(name)) return;
    if (failure === undefined) {
      lastFailure.delete(name);
      console.warn(`readyz: ${name} is ready again`);
    } else {
      lastFailure.set(name, failure);
      console.error(`readyz: ${name} is not ready: ${failure}`);
    }
  };

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withinTimeout(check, CHECK_TIMEOUT_MS);
          remember(name, undefined);
          return [name, { ok: true }] as const;
        } catch (error) {
          remember(name, error instanceof Error ? error.message : String(error));
          return [name, { ok: false }] as const;
        }
      }),
    );
    const ready = results.every(([, result]) => result.ok);
    res
      .status(ready ? 200 : 503)
      .set('cache-control', 'no-store')
      .json({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) });
  });
  return router;
}

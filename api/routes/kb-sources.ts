import { Router } from 'express';
import { createJsonBodyReader } from '../json-body.ts';
import { sourceId } from '../kb-sync-schemas.ts';
import { requireScope, tenantOf } from '../middleware/auth.ts';
import { knowledgeBaseId } from '../schemas.ts';
import { toSourceView, type KnowledgeBaseSyncService } from '../services/kb-sync.ts';
import { parseInput } from '../validate.ts';

/**
 * /v1/knowledge-bases/:id/sources and /v1/knowledge-bases/:id/sync: where a
 * knowledge base's documents come from, and bringing it up to date with them.
 */
export function createKnowledgeBaseSourcesRouter({ sync }: { sync: KnowledgeBaseSyncService }): Router {
  const router = Router();
  const kbParam = (value: unknown) => parseInput(knowledgeBaseId, value, 'id');
  const readJson = createJsonBodyReader(16 * 1024, { code: 'E_BODY_TOO_LARGE', detail: 'the JSON body exceeds 16 KiB' });

  router.post('/:id/sources', requireScope('documents:write'), async (req, res) => {
    const kb = kbParam(req.params.id);
    const body = req.is('application/json') ? ((await readJson(req, res)) ?? {}) : {};
    const { source, created } = await sync.addSource(tenantOf(res), kb, body);
    res
      .status(created ? 201 : 200)
      .location(`/v1/knowledge-bases/${kb}/sources/${source.id}`)
      .json(toSourceView(source));
  });

  router.get('/:id/sources', requireScope('documents:read'), async (req, res) => {
    const sources = await sync.listSources(tenantOf(res), kbParam(req.params.id));
    // At most MAX_SOURCES_PER_KNOWLEDGE_BASE: one page.
    res.json({ items: sources.map(toSourceView), nextCursor: null });
  });

  router.delete('/:id/sources/:sourceId', requireScope('documents:write'), async (req, res) => {
    const kb = kbParam(req.params.id);
    await sync.removeSource(tenantOf(res), kb, parseInput(sourceId, req.params.sourceId, 'sourceId'));
    res.status(204).end();
  });

  router.post('/:id/sync', requireScope('documents:write'), async (req, res) => {
    const kb = kbParam(req.params.id);
    const run = await sync.startSync(tenantOf(res), kb);
    res.status(202).location(`/v1/knowledge-bases/${kb}/sync`).json({ id: run.id, workflowId: run.workflowId, status: run.status });
  });

  router.get('/:id/sync', requireScope('documents:read'), async (req, res) => {
    res.json(await sync.lastSync(tenantOf(res), kbParam(req.params.id)));
  });

  return router;
}

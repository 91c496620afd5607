import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../lib/db/index.ts';
import type { CacheScope } from '../../lib/cache/index.ts';
import { knowledgeBasesTag } from '../../lib/documents/cache-tags.ts';
import { KnowledgeBaseNotFoundError } from '../../lib/knowledge-bases/errors.ts';
import {
  createKnowledgeBase,
  listKnowledgeBases,
  markKnowledgeBaseDeleting,
  requireKnowledgeBase,
  updateKnowledgeBase,
  type KnowledgeBase,
} from '../../lib/knowledge-bases/repository.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { createJsonBodyReader } from '../json-body.ts';
import { requireScope, tenantOf } from '../middleware/auth.ts';
import { knowledgeBaseChanges, knowledgeBaseId, knowledgeBaseListQuery, newKnowledgeBase } from '../schemas.ts';
import { parseInput } from '../validate.ts';

/** Removing a knowledge base is a workflow; the API only starts it (see api/services). */
export interface KnowledgeBaseOrchestration {
  /**
   * Starts, or joins, the workflow that removes the knowledge base (already
   * marked `deleting`) with all its documents, chunks, vectors and blobs.
   */
  deleteKnowledgeBase(tenant: string, id: string): Promise<{ workflowId: string }>;
}

export interface KnowledgeBasesRouterDeps {
  db: Database;
  orchestration: KnowledgeBaseOrchestration;
  /** Cached knowledge-base answers of the tenant are dropped on every change. */
  cache: Pick<CacheScope, 'invalidateTags'>;
}

const cursorPayload = z.object({ id: knowledgeBaseId });

/** What a client sees of a knowledge base. */
export function toKnowledgeBaseView(kb: KnowledgeBase) {
  return {
    id: kb.id,
    name: kb.name,
    description: kb.description,
    defaultLanguage: kb.defaultLanguage,
    status: kb.status,
    documentCount: kb.documentCount,
    createdAt: kb.createdAt,
    updatedAt: kb.updatedAt,
  };
}

export function createKnowledgeBasesRouter({ db, orchestration, cache }: KnowledgeBasesRouterDeps): Router {
  const router = Router();
  const changed = (tenant: string) => cache.invalidateTags([knowledgeBasesTag(tenant)]);
  const idParam = (value: unknown) => parseInput(knowledgeBaseId, value, 'id');
  const readJson = createJsonBodyReader(64 * 1024, { code: 'E_BODY_TOO_LARGE', detail: 'the JSON body exceeds 64 KiB' });
  /** A body that is not JSON reads as empty, and validation names what is missing. */
  const body = async (req: Parameters<typeof readJson>[0], res: Parameters<typeof readJson>[1]) =>
    req.is('application/json') ? ((await readJson(req, res)) ?? {}) : {};

  router.post('/', requireScope('documents:write'), async (req, res) => {
    const input = parseInput(newKnowledgeBase, await body(req, res));
    const kb = await createKnowledgeBase(db, tenantOf(res), input);
    await changed(kb.tenant);
    res.status(201).location(`/v1/knowledge-bases/${kb.id}`).json(toKnowledgeBaseView(kb));
  });

  router.get('/', requireScope('documents:read'), async (req, res) => {
    const query = parseInput(knowledgeBaseListQuery, req.query);
    const after = query.cursor ? decodeCursor(cursorPayload, query.cursor).id : undefined;
    const page = await listKnowledgeBases(db, tenantOf(res), { limit: query.limit, after });
    res.json({ items: page.items.map(toKnowledgeBaseView), nextCursor: page.nextAfter ? encodeCursor({ id: page.nextAfter }) : null });
  });

  router.get('/:id', requireScope('documents:read'), async (req, res) => {
    res.json(toKnowledgeBaseView(await requireKnowledgeBase(db, tenantOf(res), idParam(req.params.id))));
  });

  router.patch('/:id', requireScope('documents:write'), async (req, res) => {
    const id = idParam(req.params.id);
    const kb = await updateKnowledgeBase(db, tenantOf(res), id, parseInput(knowledgeBaseChanges, await body(req, res)));
    if (!kb) throw new KnowledgeBaseNotFoundError(id);
    await changed(kb.tenant);
    res.json(toKnowledgeBaseView(kb));
  });

  /** Marks it `deleting` (uploads into it are refused from now on), then hands the removal to its workflow. */
  router.delete('/:id', requireScope('documents:write'), async (req, res) => {
    const id = idParam(req.params.id);
    const tenant = tenantOf(res);
    const kb = await markKnowledgeBaseDeleting(db, tenant, id);
    if (!kb) throw new KnowledgeBaseNotFoundError(id);
    await changed(tenant);
    const { workflowId } = await orchestration.deleteKnowledgeBase(tenant, id);
    res.status(202).location(`/v1/knowledge-bases/${id}`).json({ id, workflowId, status: 'deleting' });
  });

  return router;
}

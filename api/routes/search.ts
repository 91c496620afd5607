import { Router } from 'express';
import type { Database } from '../../lib/db/index.ts';
import { recordSearch } from '../../lib/search/analytics.ts';
import type { QueryEmbeddings } from '../../lib/search/query-embeddings.ts';
import { requireKnowledgeBase } from '../../lib/knowledge-bases/repository.ts';
import { requireScope, tenantOf } from '../middleware/auth.ts';
import { semanticSearch } from '../../lib/search/semantic.ts';
import { semanticQuery } from '../schemas.ts';
import { parseInput } from '../validate.ts';

export function createSearchRouter({ db, queryEmbeddings }: { db: Database; queryEmbeddings: QueryEmbeddings }): Router {
  const router = Router();

  /** Nearest chunks by meaning: the query is embedded with the model's query instruction. */
  router.get('/semantic', requireScope('search'), async (req, res) => {
    const { q, k, knowledgeBase } = parseInput(semanticQuery, req.query);
    const tenant = tenantOf(res);
    if (knowledgeBase) await requireKnowledgeBase(db, tenant, knowledgeBase);
    await recordSearch(db, tenant, q);
    const vector = await queryEmbeddings.embed(q);
    const hits = await semanticSearch(db, vector, k, { knowledgeBase, tenant });
    res.json({ results: hits.map((h) => ({ ...h, score: Math.round(h.score * 10000) / 10000 })) });
  });

  return router;
}

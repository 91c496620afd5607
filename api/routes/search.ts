import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Database } from '../../lib/db/index.ts';
import { hotQueries, recordSearch, zeroResultQueries } from '../../lib/search/analytics.ts';
import { QuerySyntaxError } from '../../lib/search/errors.ts';
import { INDEX_NAMES, type IndexName } from '../../lib/search/indexes.ts';
import type { QueryEmbeddings } from '../../lib/search/query-embeddings.ts';
import { requireKnowledgeBase } from '../../lib/knowledge-bases/repository.ts';
import type { PagePosition, SearchAnswer, SearchBody, SearchService } from '../../lib/search/service.ts';
import { requireScope, tenantOf } from '../middleware/auth.ts';
import { semanticSearch } from '../../lib/search/semantic.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { createJsonBodyReader } from '../json-body.ts';
import { HttpProblem } from '../problem.ts';
import { semanticQuery } from '../schemas.ts';
import { analyticsQuery, clickBody, searchBody, searchCursor, searchFilters, searchQuery, suggestQuery, windowSeconds } from '../search-schemas.ts';
import { parseInput } from '../validate.ts';

export interface SearchRouterDeps {
  db: Database;
  queryEmbeddings: QueryEmbeddings;
  /** The query API over the configured engine (lib/search/service.ts). */
  service: SearchService;
}

/** Paths under /v1/search that are not indexes: another method on them is a 405, not "no such index". */
const OTHER_PATHS = new Set(['semantic', 'suggest', 'clicks', 'analytics']);

/** Names given in one comma-separated parameter. */
const commaList = (value: string | undefined) => value?.split(',').map((s) => s.trim()).filter(Boolean);

/** The query's syntax error as a 400 naming the parameter the query came in, with the position. */
function syntaxProblem(error: unknown, field: string): unknown {
  if (!(error instanceof QuerySyntaxError)) return error;
  return new HttpProblem(400, 'Invalid query', error.message, {
    code: error.code,
    position: error.position,
    errors: [{ field, detail: error.message }],
  });
}

function toPosition(cursor: string | undefined): PagePosition | undefined {
  if (!cursor) return undefined;
  const { f, o, a } = decodeCursor(searchCursor, cursor);
  return { fingerprint: f, offset: o, after: a };
}

/** The answer with its next page signed into a cursor. */
function toAnswerView({ next, ...answer }: SearchAnswer) {
  const nextCursor = next ? encodeCursor({ f: next.fingerprint, ...(next.offset !== undefined ? { o: next.offset } : {}), ...(next.after ? { a: next.after } : {}) }) : null;
  return {
    hits: answer.hits,
    total: answer.total,
    facets: answer.facets,
    stats: answer.stats,
    nextCursor,
    didYouMean: answer.didYouMean,
    queryId: answer.queryId,
    tookMs: answer.tookMs,
    mode: answer.mode,
  };
}

export function createSearchRouter({ db, queryEmbeddings, service }: SearchRouterDeps): Router {
  const router = Router();
  // OPTIONS is answered from the OpenAPI document (api/middleware/allowed-methods.ts): Express's own answer
  // would list `/:index`'s methods for /clicks and /semantic too, as that pattern matches them.
  router.use((req, _res, next) => next(req.method === 'OPTIONS' ? 'router' : undefined));
  const readJson = createJsonBodyReader(64 * 1024, { code: 'E_BODY_TOO_LARGE', detail: 'the JSON body exceeds 64 KiB' });
  const bodyOf = async (req: Request, res: Response) => {
    if (!req.is('application/json')) {
      throw new HttpProblem(415, 'Unsupported media type', 'send the search as application/json', { code: 'E_UNSUPPORTED_MEDIA_TYPE' });
    }
    return (await readJson(req, res)) ?? {};
  };

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

  /** Completions of what a person is typing: titles or names, popular queries, vocabulary words. */
  router.get('/suggest', requireScope('search'), async (req, res) => {
    const { q, index, limit } = parseInput(suggestQuery, req.query);
    res.json(await service.suggest(tenantOf(res), index, q, limit));
  });

  /** Which result of a search was opened (the query log's click-through). */
  router.post('/clicks', requireScope('search'), async (req, res) => {
    const { queryId, documentId } = parseInput(clickBody, await bodyOf(req, res));
    await service.click(tenantOf(res), queryId, documentId);
    res.status(204).end();
  });

  /** What the tenant searches for most, and what finds nothing: for the people who curate the content. */
  router.get('/analytics/hot', requireScope('admin'), async (req, res) => {
    const { window, index, limit } = parseInput(analyticsQuery, req.query);
    res.json({ window, items: await hotQueries(db, tenantOf(res), { seconds: windowSeconds(window), index, limit }) });
  });
  router.get('/analytics/zero-results', requireScope('admin'), async (req, res) => {
    const { window, index, limit } = parseInput(analyticsQuery, req.query);
    res.json({ window, items: await zeroResultQueries(db, tenantOf(res), { seconds: windowSeconds(window), index, limit }) });
  });

  const indexParam = (req: Request): IndexName | 'other' | undefined => {
    const index = req.params.index as string;
    if ((INDEX_NAMES as readonly string[]).includes(index)) return index as IndexName;
    return OTHER_PATHS.has(index) ? 'other' : undefined;
  };
  const notFound = (req: Request) =>
    new HttpProblem(404, 'Not found', `there is no search index "${String(req.params.index).slice(0, 64)}"; indexes are ${INDEX_NAMES.join(', ')}`, {
      code: 'E_SEARCH_INDEX_NOT_FOUND',
    });

  router.get('/:index', requireScope('search'), async (req, res, next) => {
    const index = indexParam(req);
    if (index === 'other') return next();
    if (!index) throw notFound(req);
    const query = parseInput(searchQuery, req.query);
    let filters: unknown;
    if (query.filters !== undefined) {
      try {
        filters = JSON.parse(query.filters);
      } catch {
        throw HttpProblem.invalid([{ field: 'filters', detail: 'not valid JSON: give { "field": value | [values] | { "gte": …, "lt": … } }' }]);
      }
    }
    const body: SearchBody = {
      query: query.q,
      mode: query.mode,
      filters: filters === undefined ? undefined : parseInput(z.object({ filters: searchFilters }), { filters }).filters,
      facets: commaList(query.facets),
      sort: commaList(query.sort),
      limit: query.limit,
    };
    const answer = await service.search(tenantOf(res), index, body, toPosition(query.cursor)).catch((error) => {
      throw syntaxProblem(error, 'q');
    });
    res.json(toAnswerView(answer));
  });

  router.post('/:index', requireScope('search'), async (req, res, next) => {
    const index = indexParam(req);
    if (index === 'other') return next();
    if (!index) throw notFound(req);
    const { cursor, ...body } = parseInput(searchBody, await bodyOf(req, res));
    const answer = await service.search(tenantOf(res), index, body, toPosition(cursor)).catch((error) => {
      throw syntaxProblem(error, 'query');
    });
    res.json(toAnswerView(answer));
  });

  return router;
}

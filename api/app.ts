import express from 'express';
import swaggerUi from 'swagger-ui-express';
import type { Connection } from '@temporalio/client';
import type { DocumentReads } from './services/document-reads.ts';
import type { IngestionService } from './services/ingestion.ts';
import type { Platform } from '../lib/platform.ts';
import { createQueryEmbeddings } from '../lib/search/query-embeddings.ts';
import { openApiDocument } from './openapi.ts';
import { HttpProblem, notFoundHandler, problemHandler } from './problem.ts';
import type { Authenticator } from './middleware/auth.ts';
import { createAdminRouter } from './routes/admin.ts';
import { createApiKeysRouter } from './routes/api-keys.ts';
import { createDocumentBatchRouter } from './routes/documents-batch.ts';
import { createDocumentsRouter } from './routes/documents.ts';
import { createHealthRouter } from './routes/health.ts';
import { createKnowledgeBasesRouter, type KnowledgeBaseOrchestration } from './routes/knowledge-bases.ts';
import { createSearchRouter } from './routes/search.ts';

export interface AppDeps {
  platform: Platform;
  /** Who is calling (API keys, or open local mode); see api/middleware/auth.ts. */
  authenticator: Authenticator;
  ingestion: IngestionService;
  /** One document through the cache (api/services/document-reads.ts). */
  documentReads: DocumentReads;
  temporal: Connection;
  /** Starts knowledge-base deletion workflows; without it DELETE /v1/knowledge-bases/:id answers 503. */
  knowledgeBaseOrchestration?: KnowledgeBaseOrchestration;
}

const orchestrationMissing: KnowledgeBaseOrchestration = {
  deleteKnowledgeBase: async () => {
    throw new HttpProblem(503, 'Service unavailable', 'deleting knowledge bases is not available in this process', { code: 'E_NOT_AVAILABLE' });
  },
};

/** The Express app: routes and middleware composed, no listening (tests mount it on port 0). */
export function createApp({ platform, authenticator, ingestion, documentReads, temporal, knowledgeBaseOrchestration }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple'); // no nested objects from `a[b]=c`: one value shape per parameter
  app.use(createHealthRouter({ db: platform.db, embedder: platform.embedder, temporal }));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openApiDocument));
  // Health and the API's description are open; every resource under /v1 has a tenant.
  app.use('/v1', authenticator.authenticate);
  app.use('/v1/api-keys', createApiKeysRouter({ db: platform.db, authenticator }));
  app.use('/v1/admin', createAdminRouter({ cache: platform.cache }));
  const documentDeps = { db: platform.db, ingestion, maxJsonUploadBytes: platform.config.MAX_JSON_UPLOAD_SIZE };
  app.use('/v1/documents', createDocumentBatchRouter(documentDeps));
  app.use('/v1/documents', createDocumentsRouter({ ...documentDeps, documentReads }));
  app.use(
    '/v1/knowledge-bases',
    createKnowledgeBasesRouter({ db: platform.db, orchestration: knowledgeBaseOrchestration ?? orchestrationMissing, cache: platform.cache }),
  );
  app.use('/v1/search', createSearchRouter({ db: platform.db, queryEmbeddings: createQueryEmbeddings(platform.cache, platform.embedder) }));
  app.use(notFoundHandler);
  app.use(problemHandler);
  return app;
}

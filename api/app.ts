import express from 'express';
import swaggerUi from 'swagger-ui-express';
import type { Connection } from '@temporalio/client';
import type { IngestionService } from '../lib/documents/ingestion.ts';
import type { Platform } from '../lib/platform.ts';
import { openApiDocument } from './openapi.ts';
import { notFoundHandler, problemHandler } from './problem.ts';
import { createDocumentsRouter } from './routes/documents.ts';
import { createHealthRouter } from './routes/health.ts';
import { createSearchRouter } from './routes/search.ts';

export interface AppDeps {
  platform: Platform;
  ingestion: IngestionService;
  temporal: Connection;
}

/** The Express app: routes and middleware composed, no listening (tests mount it on port 0). */
export function createApp({ platform, ingestion, temporal }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple'); // no nested objects from `a[b]=c`: one value shape per parameter
  app.use(createHealthRouter({ db: platform.db, embedder: platform.embedder, temporal }));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openApiDocument));
  app.use('/v1/documents', createDocumentsRouter({ db: platform.db, ingestion }));
  app.use('/v1/search', createSearchRouter({ db: platform.db, embedder: platform.embedder }));
  app.use(notFoundHandler);
  app.use(problemHandler);
  return app;
}

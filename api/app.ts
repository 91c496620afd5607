import express from 'express';
import swaggerUi from 'swagger-ui-express';
import { Client, type Connection } from '@temporalio/client';
import { createSearchSync } from '../client/search-sync.ts';
import type { DocumentReads } from './services/document-reads.ts';
import type { IngestionService } from './services/ingestion.ts';
import type { Platform } from '../lib/platform.ts';
import type { QueryEmbeddings } from '../lib/search/query-embeddings.ts';
import { openApiDocument } from './openapi.ts';
import { HttpProblem, notFoundHandler, problemHandler } from './problem.ts';
import type { Redis } from 'ioredis';
import { documentsTag, knowledgeBasesTag } from '../lib/documents/cache-tags.ts';
import { tenantOf, type Authenticator } from './middleware/auth.ts';
import { applyHttpLayer, createAllowedMethods, createRateLimit, createResponseCache, defaultPolicies, storableUnlessInProgress } from './middleware/index.ts';
import { createAdminRouter } from './routes/admin.ts';
import { createApiKeysRouter } from './routes/api-keys.ts';
import { createDocumentBatchRouter } from './routes/documents-batch.ts';
import { createDocumentsRouter } from './routes/documents.ts';
import { createHealthRouter } from './routes/health.ts';
import { createKnowledgeBasesRouter, type KnowledgeBaseOrchestration } from './routes/knowledge-bases.ts';
import { createSearchRouter } from './routes/search.ts';
import { createErpRouter } from './routes/erp.ts';
import { createErpImportService } from './services/erp-imports.ts';
import { createErpWorkflows } from '../client/erp.ts';
import { createSearchService } from '../lib/search/service.ts';
import { createVocabulary } from '../lib/search/vocabulary.ts';
import { createAnalyticsEngine } from '../lib/analytics/engine.ts';
import { createAnalyticsAnswers } from '../lib/analytics/answers.ts';
import { createAnalyticsRouter } from './routes/analytics.ts';
import { createAnalyticsSeriesRouter } from './routes/analytics-series.ts';
import { createAnalyticsPivotRouter } from './routes/analytics-pivot.ts';
import { createReportWorkflows } from '../client/reports.ts';
import { createReportsRouter } from './routes/reports.ts';
import { createReportTemplatesRouter } from './routes/report-templates.ts';
import { createReportService } from './services/reports.ts';
import { createScheduleControl } from '../client/schedules.ts';
import { createSchedulesRouter } from './routes/schedules.ts';
import { createScheduleService } from './services/schedules.ts';
import { createBackupWorkflows } from '../client/backups.ts';
import { createBackupsRouter } from './routes/backups.ts';
import { createBackupService, openRunCheck } from './services/backups.ts';
import { createEmailWorkflows } from '../client/emails.ts';
import { createEmailsRouter } from './routes/emails.ts';
import { createEmailTemplatesRouter } from './routes/email-templates.ts';
import { createEmailService } from './services/emails.ts';
import { createKnowledgeBaseSyncWorkflows } from '../client/kb-sync.ts';
import { sourceRoots } from '../lib/kb-sync/paths.ts';
import { createKnowledgeBaseSourcesRouter } from './routes/kb-sources.ts';
import { createKnowledgeBaseSyncService } from './services/kb-sync.ts';

export interface AppDeps {
  platform: Platform;
  /** Who is calling (API keys, or open local mode); see api/middleware/auth.ts. */
  authenticator: Authenticator;
  ingestion: IngestionService;
  /** One document through the cache (api/services/document-reads.ts). */
  documentReads: DocumentReads;
  /** Search query vectors through the cache. */
  queryEmbeddings: QueryEmbeddings;
  temporal: Connection;
  /** Shared rate-limit budgets across API processes; without it each process counts alone. */
  rateLimitRedis?: Redis;
  /** Starts knowledge-base deletion workflows; without it DELETE /v1/knowledge-bases/:id answers 503. */
  knowledgeBaseOrchestration?: KnowledgeBaseOrchestration;
}

const orchestrationMissing: KnowledgeBaseOrchestration = {
  deleteKnowledgeBase: async () => {
    throw new HttpProblem(503, 'Service unavailable', 'deleting knowledge bases is not available in this process', { code: 'E_NOT_AVAILABLE' });
  },
};

/** The Express app: routes and middleware composed, no listening (tests mount it on port 0). */
export function createApp(deps: AppDeps): express.Express {
  const { platform, authenticator, ingestion, documentReads, queryEmbeddings, temporal, rateLimitRedis, knowledgeBaseOrchestration } = deps;
  const { config } = platform;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple'); // no nested objects from `a[b]=c`: one value shape per parameter
  // First: compression and conditional requests wrap every answer (and replace Express's weak ETag).
  applyHttpLayer(app, { compression: { thresholdBytes: config.HTTP_COMPRESSION_THRESHOLD } });
  app.use(createHealthRouter({ db: platform.db, embedder: platform.embedder, temporal }));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openApiDocument));
  // Health and the API's description are open; every resource under /v1 has a tenant.
  app.use('/v1', authenticator.authenticate);
  app.use(
    '/v1',
    createRateLimit({
      policies: defaultPolicies({ perMinute: config.RATE_LIMIT_PER_MINUTE, expensivePerMinute: config.RATE_LIMIT_EXPENSIVE_PER_MINUTE }),
      redis: rateLimitRedis,
      keyPrefix: `${config.CACHE_PREFIX}:rl`,
      whenRedisDown: config.RATE_LIMIT_WHEN_REDIS_DOWN,
    }),
  );
  app.use(
    '/v1',
    createResponseCache({
      store: platform.cache,
      ttlMs: config.RESPONSE_CACHE_TTL_MS,
      storable: storableUnlessInProgress,
      tagsOf: (req, res) => {
        const path = req.baseUrl + req.path;
        if (path.startsWith('/v1/documents')) return [documentsTag(tenantOf(res))];
        if (path.startsWith('/v1/knowledge-bases')) return [knowledgeBasesTag(tenantOf(res))];
        return []; // search (it records analytics), api keys, admin: never stored
      },
    }),
  );
  app.use('/v1/api-keys', createApiKeysRouter({ db: platform.db, authenticator }));
  const searchSync = createSearchSync(new Client({ connection: temporal, namespace: config.TEMPORAL_NAMESPACE }), config.INGEST_TASK_QUEUE);
  app.use('/v1/admin', createAdminRouter({ cache: platform.cache, searchSync }));
  const documentDeps = { db: platform.db, ingestion, maxJsonUploadBytes: platform.config.MAX_JSON_UPLOAD_SIZE };
  app.use('/v1/documents', createDocumentBatchRouter(documentDeps));
  app.use('/v1/documents', createDocumentsRouter({ ...documentDeps, documentReads }));
  app.use(
    '/v1/knowledge-bases',
    createKnowledgeBasesRouter({ db: platform.db, orchestration: knowledgeBaseOrchestration ?? orchestrationMissing, cache: platform.cache }),
  );
  const searchService = createSearchService({ db: platform.db, engine: platform.search, vocabulary: createVocabulary(platform.db), queryEmbeddings });
  app.use('/v1/search', createSearchRouter({ db: platform.db, queryEmbeddings, service: searchService }));
  const erpWorkflows = createErpWorkflows(new Client({ connection: temporal, namespace: config.TEMPORAL_NAMESPACE }), config.INGEST_TASK_QUEUE);
  const erpImports = createErpImportService({ db: platform.db, blobs: platform.blobs, workflows: erpWorkflows, maxUploadBytes: config.MAX_UPLOAD_SIZE });
  app.use('/v1/erp', createErpRouter({ imports: erpImports }));
  // Analytics over the ERP: the engine enforces the limits, the answers cache drops with every ERP import (tag `erp`).
  const analyticsEngine = createAnalyticsEngine(platform.db, {
    statementTimeoutMs: config.ANALYTICS_STATEMENT_TIMEOUT_MS,
    maxCost: config.ANALYTICS_MAX_COST,
    timeZone: config.ANALYTICS_TIME_ZONE,
  });
  const analyticsAnswers = createAnalyticsAnswers(platform.cache, config.ANALYTICS_CACHE_TTL_MS);
  app.use('/v1/analytics', createAnalyticsRouter({ engine: analyticsEngine, answers: analyticsAnswers }));
  app.use('/v1/analytics', createAnalyticsSeriesRouter({ engine: analyticsEngine, answers: analyticsAnswers }));
  app.use('/v1/analytics', createAnalyticsPivotRouter({ engine: analyticsEngine, answers: analyticsAnswers }));
  // Reports: checked here in full, then made by generateReport on the reports task queue.
  const reportWorkflows = createReportWorkflows(new Client({ connection: temporal, namespace: config.TEMPORAL_NAMESPACE }), config.REPORTS_TASK_QUEUE);
  const reportService = createReportService({
    db: platform.db,
    blobs: platform.blobs,
    engine: analyticsEngine,
    workflows: reportWorkflows,
    timeZone: config.ANALYTICS_TIME_ZONE,
  });
  app.use('/v1/reports', createReportsRouter({ reports: reportService }));
  app.use('/v1/report-templates', createReportTemplatesRouter({ db: platform.db, engine: analyticsEngine, timeZone: config.ANALYTICS_TIME_ZONE }));
  // Schedules (backup, kb-sync, report-delivery, search-sync): Temporal Schedules, each kind with its own policies and scope.
  const scheduleControl = createScheduleControl(new Client({ connection: temporal, namespace: config.TEMPORAL_NAMESPACE }), {
    INGEST_TASK_QUEUE: config.INGEST_TASK_QUEUE,
    REPORTS_TASK_QUEUE: config.REPORTS_TASK_QUEUE,
    MAINTENANCE_TASK_QUEUE: config.MAINTENANCE_TASK_QUEUE,
  });
  app.use('/v1/schedules', createSchedulesRouter({ schedules: createScheduleService({ db: platform.db, control: scheduleControl, timeZone: config.ANALYTICS_TIME_ZONE }) }));
  // Email: checked and rendered here, put in the outbox, sent once by sendEmail on the email task queue.
  const emailWorkflows = createEmailWorkflows(new Client({ connection: temporal, namespace: config.TEMPORAL_NAMESPACE }), config.EMAIL_TASK_QUEUE);
  const emailService = createEmailService({ db: platform.db, workflows: emailWorkflows, messageIdDomain: config.EMAIL_MESSAGE_ID_DOMAIN });
  app.use('/v1/emails', createEmailsRouter({ emails: emailService }));
  app.use('/v1/email-templates', createEmailTemplatesRouter({ db: platform.db }));
  // Backups: platform-wide (scope `tenants`), made and restored by workflows on the maintenance task queue.
  const backupClient = new Client({ connection: temporal, namespace: config.TEMPORAL_NAMESPACE });
  const backupWorkflows = createBackupWorkflows(backupClient, config.MAINTENANCE_TASK_QUEUE, platform.db);
  app.use('/v1/backups', createBackupsRouter({ backups: createBackupService({ db: platform.db, workflows: backupWorkflows, isOpen: openRunCheck(backupClient) }) }));
  // Knowledge-base sources and their sync: syncKnowledgeBase on the maintenance task queue.
  const kbSyncWorkflows = createKnowledgeBaseSyncWorkflows(new Client({ connection: temporal, namespace: config.TEMPORAL_NAMESPACE }), config.MAINTENANCE_TASK_QUEUE);
  const kbSync = createKnowledgeBaseSyncService({ db: platform.db, workflows: kbSyncWorkflows, roots: sourceRoots(config.KB_SOURCE_ROOTS), cache: platform.cache });
  app.use('/v1/knowledge-bases', createKnowledgeBaseSourcesRouter({ sync: kbSync }));
  // After the routes: a known path with an undeclared method is a 405 with `Allow`.
  app.use(createAllowedMethods(openApiDocument.paths));
  app.use(notFoundHandler);
  app.use(problemHandler);
  return app;
}

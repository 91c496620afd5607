import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { createDocumentWorkflows } from '../client/documents.ts';
import { createDocumentReads, type DocumentReads } from './services/document-reads.ts';
import { createIngestionService, type IngestionService } from './services/ingestion.ts';
import type { Platform } from '../lib/platform.ts';
import { ensureOperatorKey } from '../lib/identity/api-keys.ts';
import { busiestQueries } from '../lib/search/analytics.ts';
import { createQueryEmbeddings } from '../lib/search/query-embeddings.ts';
import { Redis } from 'ioredis';
import { createApp } from './app.ts';
import { useCursorSecret } from './cursor.ts';
import { createAuthenticator } from './middleware/auth.ts';

export interface RunningApi {
  url: string;
  ingestion: IngestionService;
  /** Reads of one document through the cache, and the filter of ids that exist. */
  documentReads: DocumentReads;
  /** The operator's API key when this start created it (shown once; only its hash is stored). */
  createdOperatorKey?: string;
  close(): Promise<void>;
}

/**
 * Requests Node's HTTP parser refuses before Express sees them, most often a URL
 * with raw non-ASCII bytes (`?q=出差` typed unencoded): a problem body that says
 * so, instead of Node's bare 400.
 */
function answerMalformedRequest(_error: Error, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({
    type: 'about:blank',
    title: 'Malformed request',
    status: 400,
    detail: 'the HTTP request could not be parsed; percent-encode non-ASCII characters in the URL (curl -G --data-urlencode)',
    code: 'E_MALFORMED_REQUEST',
  });
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Connects to Temporal, builds the app and listens; `close` undoes all of it. */
export async function startApi(platform: Platform, port = platform.config.PORT): Promise<RunningApi> {
  const { config } = platform;
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const documentReads = createDocumentReads({ db: platform.db, cache: platform.cache });
  await documentReads.seed();
  const ingestion = createIngestionService({
    db: platform.db,
    blobs: platform.blobs,
    workflows: createDocumentWorkflows(temporal, config.INGEST_TASK_QUEUE),
    maxUploadBytes: config.MAX_UPLOAD_SIZE,
    cache: platform.cache,
    documentIds: documentReads,
  });
  if (config.CURSOR_SECRET) useCursorSecret(config.CURSOR_SECRET);
  // Rate limits share budgets through Redis; an outage is the limiter's to handle (RATE_LIMIT_WHEN_REDIS_DOWN).
  const rateLimitRedis = config.REDIS_URL
    ? new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(n * 100, 2000) })
    : undefined;
  rateLimitRedis?.on('error', () => {}); // ioredis reconnects by itself
  // The busiest searches' vectors into this process's L1 (from Redis when the warm-cache workflow put
  // them there), in the background: the API answers meanwhile, and a failure only means colder misses.
  const queryEmbeddings = createQueryEmbeddings(platform.cache, platform.embedder);
  void busiestQueries(platform.db, 100)
    .then((busiest) => queryEmbeddings.warm(busiest.map((q) => q.query)))
    .catch(() => {});
  const auth = config.AUTH === 'on';
  const { created: createdOperatorKey } = auth ? await ensureOperatorKey(platform.db, config.ADMIN_API_KEY) : {};
  const app = createApp({
    platform,
    authenticator: createAuthenticator({ db: platform.db, enabled: auth }),
    documentReads,
    queryEmbeddings,
    rateLimitRedis,
    ingestion,
    temporal: connection,
    knowledgeBaseOrchestration: { deleteKnowledgeBase: (tenant, id) => ingestion.removeKnowledgeBase(tenant, id) },
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, config.HOST, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  // Uploads of 50 MB on slow links need time; idle keep-alive sockets do not.
  server.requestTimeout = 10 * 60_000;
  server.on('clientError', answerMalformedRequest);
  const { port: boundPort } = server.address() as AddressInfo;
  return {
    url: `http://${config.HOST}:${boundPort}`,
    ingestion,
    documentReads,
    createdOperatorKey,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await connection.close();
      rateLimitRedis?.disconnect();
    },
  };
}

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { createDocumentWorkflows } from '../client/documents.ts';
import { createIngestionService, type IngestionService } from './services/ingestion.ts';
import type { Platform } from '../lib/platform.ts';
import { createApp } from './app.ts';

export interface RunningApi {
  url: string;
  ingestion: IngestionService;
  close(): Promise<void>;
}

/** Connects to Temporal, builds the app and listens; `close` undoes all of it. */
export async function startApi(platform: Platform, port = platform.config.PORT): Promise<RunningApi> {
  const { config } = platform;
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const ingestion = createIngestionService({
    db: platform.db,
    blobs: platform.blobs,
    workflows: createDocumentWorkflows(temporal, config.INGEST_TASK_QUEUE),
    maxUploadBytes: config.MAX_UPLOAD_SIZE,
  });
  const app = createApp({
    platform,
    ingestion,
    temporal: connection,
    knowledgeBaseOrchestration: { deleteKnowledgeBase: (_tenant, id) => ingestion.removeKnowledgeBase(id) },
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, config.HOST, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  // Uploads of 50 MB on slow links need time; idle keep-alive sockets do not.
  server.requestTimeout = 10 * 60_000;
  const { port: boundPort } = server.address() as AddressInfo;
  return {
    url: `http://${config.HOST}:${boundPort}`,
    ingestion,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await connection.close();
    },
  };
}

import { createReadStream, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApi } from '../api/server.ts';
import { loadConfig } from '../lib/config.ts';
import { createPlatform } from '../lib/platform.ts';
import { connectWorker, createIngestWorker } from '../worker/ingest-worker.ts';

/**
 * `npm start`: worker and API in one process over the embedded defaults
 * (PGlite has a single connection, so one process owns it), then the sample
 * documents are uploaded like any client would. Re-running is safe: the same
 * bytes are the same document.
 */
const samplesDir = fileURLToPath(new URL('../samples/', import.meta.url));

const config = loadConfig();
const platform = await createPlatform(config);
const connection = await connectWorker(config);
const worker = await createIngestWorker(platform, connection);
const workerRun = worker.run();
const api = await startApi(platform);

for (const name of readdirSync(samplesDir).sort()) {
  const upload = await api.ingestion.receive(createReadStream(path.join(samplesDir, name)));
  const { document, created } = await api.ingestion.submit(upload, { filename: name, tags: ['sample'], source: 'samples/' + name });
  console.log(`sample ${name}: ${created ? 'ingesting' : document.status} (${document.id.slice(0, 12)}…)`);
}

console.log(`
AI Stack jobs is running (database: ${platform.db.engine})
  API              ${api.url}
  API docs         ${api.url}/docs
  Temporal Web UI  ${config.TEMPORAL_UI_URL}
Try:
  curl -F file=@samples/${readdirSync(samplesDir).sort()[0]} ${api.url}/v1/documents
  curl '${api.url}/v1/search/semantic?q=出差住宿怎么报销&k=3'
Stop with Ctrl-C.`);

// The SDK drains the worker on SIGINT/SIGTERM; then the rest closes behind it.
await workerRun;
await api.close();
await connection.close();
await platform.close();

import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from '@temporalio/worker';
import { startApi } from '../api/server.ts';
import { loadConfig } from '../lib/config.ts';
import { loadGeneratedErp } from '../lib/erp/generate-load.ts';
import { createPlatform } from '../lib/platform.ts';
import { connectWorker, createIngestWorker } from '../worker/ingest-worker.ts';
import { createReportsWorker } from '../worker/reports-worker.ts';
import { createEmailWorker } from '../worker/email-worker.ts';
import { createMaintenanceWorker } from '../worker/maintenance-worker.ts';
import { Connection } from '@temporalio/client';
import { ensureDefaultSchedules, sendWelcomeEmail } from './dev-defaults.ts';

/**
 * `npm start`: worker and API in one process over the embedded defaults
 * (PGlite has a single connection, so one process owns it), then the sample
 * documents are uploaded like any client would. Re-running is safe: the same
 * bytes are the same document.
 */
const samplesDir = fileURLToPath(new URL('../samples/', import.meta.url));

// The operator's key, kept where npm start keeps its state (readable by this user only), so a
// restart shows the same key; ADMIN_API_KEY, when set, wins.
const keyFile = path.join(process.env.AISTACK_STATE ?? path.join(os.homedir(), '.cache', 'aistack', 'state'), 'admin-api-key');
if (!process.env.ADMIN_API_KEY && existsSync(keyFile)) process.env.ADMIN_API_KEY = readFileSync(keyFile, 'utf8').trim();
// The sample knowledge base syncs from samples/: a source root besides the configured ones (`:`-separated).
const defaultSourceRoot = path.join(process.env.AISTACK_CACHE ?? path.join(os.homedir(), '.cache', 'aistack'), 'sources');
process.env.KB_SOURCE_ROOTS = [process.env.KB_SOURCE_ROOTS ?? defaultSourceRoot, path.resolve(samplesDir)].join(':');
const config = loadConfig();

// Ctrl-C drains the worker, then the rest closes behind it. One Ctrl-C may arrive
// twice (from the terminal and passed on by scripts/start.sh), so a repeat within
// a second is the same request; a later one leaves at once.
let stopRequestedAt = 0;
const workers: Worker[] = []; // filled as the workers exist; read by the signal handler
const drain = () => {
  for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
};
const stop = () => {
  if (stopRequestedAt && Date.now() - stopRequestedAt > 1000) {
    console.error('stopping now, without draining the worker');
    process.exit(130);
  }
  if (!stopRequestedAt) {
    stopRequestedAt = Date.now();
    console.log('\nstopping: draining the worker, then the API and the database (Ctrl-C again to leave at once)');
  }
  drain();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const platform = await createPlatform(config);
const connection = await connectWorker(config);
const ingest = await createIngestWorker(platform, connection);
const reports = await createReportsWorker(platform, connection);
const email = await createEmailWorker(platform, connection);
const maintenance = await createMaintenanceWorker(platform, connection);
workers.push(ingest.worker, reports.worker, email.worker, maintenance.worker);
// If one worker stops (Ctrl-C, or a fatal error), the others drain too.
const workerRun = Promise.all([ingest, reports, email, maintenance].map((w) => w.run().finally(drain)));
if (stopRequestedAt) drain(); // Ctrl-C came while setting up
const api = await startApi(platform);
if (api.createdOperatorKey) {
  mkdirSync(path.dirname(keyFile), { recursive: true });
  writeFileSync(keyFile, api.createdOperatorKey, { mode: 0o600 });
}
const apiKey = config.AUTH === 'on' ? (api.createdOperatorKey ?? config.ADMIN_API_KEY) : undefined;
const authHeader = apiKey ? ` -H 'Authorization: Bearer ${apiKey}'` : '';

// Sample ERP data once, before the documents: the first ingestion's search sync then indexes it too.
const { rows: erpRows } = await platform.db.query<{ empty: boolean }>('select not exists (select 1 from customers) as empty');
if (erpRows[0]?.empty && !stopRequestedAt) {
  const erp = await loadGeneratedErp(platform.db, { orders: 5000 });
  console.log(`sample ERP data: ${erp.counts.customers} customers, ${erp.counts.products} products, ${erp.counts.orders} orders`);
}

for (const name of readdirSync(samplesDir).sort()) {
  if (stopRequestedAt) break;
  const upload = await api.ingestion.receive(createReadStream(path.join(samplesDir, name)));
  const { document, created } = await api.ingestion.submit('default', upload, { filename: name, tags: ['sample'], source: 'samples/' + name });
  console.log(`sample ${name}: ${created ? 'ingesting' : document.status} (${document.id.slice(0, 12)}…)`);
}

// The default Schedules (nightly backup, hourly sync of samples/) and a first email, through the same code as the API.
const temporalClient = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
const mailUi = config.MAIL_UI_URL ? `${config.MAIL_UI_URL.replace(/\/+$/, '')}/index.html` : undefined;
let schedulesLine = 'not set up (see the warning above)';
if (!stopRequestedAt) {
  try {
    const ids = await ensureDefaultSchedules(platform.db, temporalClient, config, path.resolve(samplesDir));
    schedulesLine = `${ids.join(', ')} (${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/schedules)`;
  } catch (error) {
    console.warn(`the default schedules could not be set up: ${(error as Error).message}`);
  }
  try {
    await sendWelcomeEmail(platform.db, temporalClient, config, { apiUrl: api.url, temporalUi: config.TEMPORAL_UI_URL, mailUi });
  } catch (error) {
    console.warn(`the welcome email could not be queued: ${(error as Error).message}`);
  }
}

// What an analyst asks: paid revenue by region and month, and the same as a report with next quarter's
// forecast. A report's filters apply to every view of it, the forecast's training range included.
const paid = [
  { field: 'status', op: 'eq', value: 'paid' },
  { field: 'ordered_at', op: 'between', value: ['2024-01-01', '2025-12-31'] },
];
const revenue = { field: 'revenue', agg: 'sum', as: 'paid_revenue' };
const exampleQuery = JSON.stringify({ source: 'orders', dimensions: ['region', 'month'], measures: [revenue], filters: paid });
const exampleReport = JSON.stringify({
  title: '各地区已付款收入与下季度预测',
  source: 'orders',
  dimensions: ['region', 'month'],
  measures: [revenue],
  filters: paid,
  pivot: { rows: ['region'], columns: ['month'] },
  forecast: { granularity: 'month', trainFrom: '2024-01-01', trainTo: '2025-12-31', horizon: 3 },
  anomalies: { granularity: 'day', from: '2025-01-01', to: '2025-12-31' },
  charts: [{ type: 'heatmap', dimension: 'month', series: 'region' }, { type: 'line', view: 'forecast' }],
  formats: ['xlsx', 'pdf', 'csv'],
});

// A weekly delivery of a report (its id from POST /v1/reports above), and an email as a client sends one.
const exampleDelivery = JSON.stringify({
  reportId: 'rpt_…',
  cron: '0 9 * * mon',
  timezone: 'Asia/Shanghai',
  recipients: ['老板 <boss@example.com>'],
  format: 'xlsx',
  subject: '每周收入报表 Weekly revenue',
});
const exampleEmail = JSON.stringify({ to: ['you@example.com'], subject: '你好 Hello', text: 'Sent through the outbox; see it in MailDev.' });

// The database can hold an operator key this state directory never saw (ADMIN_API_KEY unset, key file gone): say so.
const keyLine =
  config.AUTH === 'off'
    ? 'none needed (AUTH=off, open local mode)'
    : apiKey
      ? `${apiKey} (operator: admin + tenants; kept in ${keyFile})`
      : `the operator key shown at this database's first start (not in ${keyFile}); set ADMIN_API_KEY or create one`;

if (!stopRequestedAt) console.log(`
AI Stack jobs is running (database: ${platform.db.engine})
  API              ${api.url}
  API docs         ${api.url}/docs
  Temporal         ${config.TEMPORAL_ADDRESS}
  Temporal Web UI  ${config.TEMPORAL_UI_URL}
  Mail             ${mailUi ? `${mailUi} (MailDev: every message the platform sends)` : `${config.SMTP_URL} (a relay: no mail UI here)`}
  Schedules        ${schedulesLine}
  API key          ${keyLine}
Try:
  curl${authHeader} -F file=@samples/${readdirSync(samplesDir).sort()[0]} ${api.url}/v1/documents
  curl${authHeader} -G --data-urlencode 'q=出差住宿怎么报消' ${api.url}/v1/search/documents
  curl${authHeader} -G --data-urlencode 'q=有限公司' -d facets=region,status,month ${api.url}/v1/search/orders
  curl${authHeader} -H 'content-type: application/json' ${api.url}/v1/analytics/query -d '${exampleQuery}'
  curl${authHeader} -H 'content-type: application/json' ${api.url}/v1/reports -d '${exampleReport}'
  curl${authHeader} ${api.url}/v1/schedules
  curl${authHeader} -X POST ${api.url}/v1/schedules/backup-nightly/trigger
  curl${authHeader} -H 'content-type: application/json' ${api.url}/v1/schedules/report-delivery -d '${exampleDelivery}'
  curl${authHeader} -X POST ${api.url}/v1/backups
  curl${authHeader} -H 'content-type: application/json' ${api.url}/v1/emails -d '${exampleEmail}'
Stop with Ctrl-C.`);

await workerRun;
await email.close();
await api.close();
await temporalClient.close();
await connection.close();
await platform.close();

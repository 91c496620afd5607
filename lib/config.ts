import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * The one config object, read once from the environment and validated at start.
 * Every setting has a default that works for the embedded mode (no servers but
 * the Temporal dev server); a bad value fails start with a message naming it.
 */
const cacheDir = process.env.AISTACK_CACHE ?? path.join(os.homedir(), '.cache', 'aistack');

const bytes = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, 'expected a size such as 50mb or 1048576')
  .transform((s) => {
    const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(s)!;
    const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
    return Math.floor(Number(m[1]) * unit);
  });
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const schema = z.object({
  /** Temporal SDK log level; its INFO logs every worker state change. */
  LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('WARN'),
  /** HTTP port of the API. */
  PORT: int(0, 65535).default(3000),
  /** Address the API binds to. */
  HOST: z.string().default('127.0.0.1'),
  /** `on`: every /v1 request needs an API key. `off`: open local mode, every caller is the default tenant's administrator. */
  AUTH: z.enum(['on', 'off']).default('on'),
  /** The operator's key (scopes admin + tenants), stored if missing; unset, the API creates one at first start and shows it once. */
  ADMIN_API_KEY: z.string().optional(),
  /** Temporal frontend address. */
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  /** Where people watch the work; printed by `npm start`. */
  TEMPORAL_UI_URL: z.string().url().default('http://127.0.0.1:8233'),
  /** Task queue of the ingestion workflows (tests use a unique one). */
  INGEST_TASK_QUEUE: z.string().default('ingest'),
  /** PostgreSQL URL; when unset the embedded PGlite database is used. */
  DATABASE_URL: z.string().url().optional(),
  /** PGlite data directory (embedded mode); `memory://` keeps it in memory. */
  PGLITE_DIR: z.string().default(path.join(cacheDir, 'state', 'pglite')),
  DATABASE_POOL_MAX: int(1, 200).default(10),
  /** Local blob directory (uploads, extracted text). */
  BLOB_DIR: z.string().default(path.join(cacheDir, 'state', 'blobs')),
  /** Largest upload accepted. */
  MAX_UPLOAD_SIZE: bytes.default(50 * 1024 ** 2),
  /** Largest `application/json` upload body (base64 adds a third); the body is held in memory, so keep it small. */
  MAX_JSON_UPLOAD_SIZE: bytes.default(10 * 1024 ** 2),
  /** `onnx` (local bge-small-zh-v1.5) or `openai` (any OpenAI-compatible /v1/embeddings). */
  EMBEDDING_PROVIDER: z.enum(['onnx', 'openai']).default('onnx'),
  EMBEDDING_MODEL_DIR: z.string().default(path.join(cacheDir, 'models', 'bge-small-zh-v1.5-q')),
  /** Inference threads of the local model, one single-threaded session (about 100 MB) each. */
  EMBEDDING_THREADS: int(1, 16).default(Math.max(1, Math.min(4, os.availableParallelism()))),
  EMBEDDING_BATCH_SIZE: int(1, 256).default(16),
  EMBEDDING_BASE_URL: z.string().url().optional(),
  /** The model name sent to an OpenAI-compatible server; ours (lib/embeddings/server.ts) serves this one. */
  EMBEDDING_MODEL: z.string().default('bge-small-zh-v1.5-q'),
  EMBEDDING_DIMENSION: int(1, 8192).default(512),
  EMBEDDING_API_KEY: z.string().optional(),
  EMBEDDING_TIMEOUT_MS: int(100, 600_000).default(30_000),
  /** Instruction prepended to queries (not passages) for models trained with one, e.g. bge's. */
  EMBEDDING_QUERY_PREFIX: z.string().max(500).optional(),
  /** Worker threads that parse, chunk and segment documents, off the worker's event loop. */
  PARSE_THREADS: int(1, 32).default(Math.max(1, Math.min(4, os.availableParallelism() - 1))),
  /** Minutes between runs of the reconcile Schedule (restarts lost runs, sweeps orphan files); 0 creates no Schedule. */
  RECONCILE_EVERY_MINUTES: int(0, 1440).default(5),
  /** Redis for the cache's L2, its invalidation bus and cross-process single-flight, and the rate limits; unset: L1 only. */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL').optional(),
  /** Prefix of every cache key and channel in Redis, so deployments (and test suites) sharing one Redis never meet. */
  CACHE_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).default('aistack'),
  CACHE_L1_MAX_ENTRIES: int(1, 10_000_000).default(10_000),
  CACHE_L1_MAX_MB: int(1, 65_536).default(64),
  /** HMAC secret of list cursors (16+ characters); share it across API processes. Unset: random per process. */
  CURSOR_SECRET: z.string().min(16).optional(),
  /** Smallest response body compressed (gzip or brotli), in bytes. */
  HTTP_COMPRESSION_THRESHOLD: int(0, 10_000_000).default(1024),
  /** How long a stored GET answer lives; the tags of what it was built from drop it sooner. */
  RESPONSE_CACHE_TTL_MS: int(0, 86_400_000).default(30_000),
  /** Requests per minute per API key (per IP without one); every IP also gets twice this. */
  RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(600),
  /** Requests per minute for uploads, batches and reports, per caller. */
  RATE_LIMIT_EXPENSIVE_PER_MINUTE: int(1, 1_000_000).default(120),
  /** Redis unreachable: `open` keeps limiting in process memory, `closed` answers 503. */
  RATE_LIMIT_WHEN_REDIS_DOWN: z.enum(['open', 'closed']).default('open'),
  /** Interval of the Schedule that warms the cache with the busiest searches; `0` creates none. */
  WARM_CACHE_EVERY_MINUTES: int(0, 1440).default(10),
  /** `postgres`: search inside the database (embedded default). `elasticsearch`: the engine at ELASTICSEARCH_URL. */
  SEARCH_ENGINE: z.enum(['postgres', 'elasticsearch']).default('postgres'),
  /** Elasticsearch 8 or 9, e.g. http://127.0.0.1:9200; needed when SEARCH_ENGINE=elasticsearch. */
  ELASTICSEARCH_URL: z.string().url().optional(),
  /** Prefix of the Elasticsearch index, template and alias names, so deployments (and test suites) sharing a cluster never meet. */
  SEARCH_INDEX_PREFIX: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,40}$/, 'lower-case letters, digits, _ and -').default('aistack'),
  /** Time one search may take in the engine before it is answered 503. */
  SEARCH_TIMEOUT_MS: int(100, 120_000).default(5_000),
  /** Days the search query log (analytics, clicks) is kept. */
  SEARCH_LOG_RETENTION_DAYS: int(1, 3650).default(90),
  /** Minutes between runs of the Schedule that brings the search index up to date; 0 creates none. */
  SEARCH_SYNC_EVERY_MINUTES: int(0, 1440).default(5),
  /** Task queue of the report workflows (generateReport); tests use a unique one. */
  REPORTS_TASK_QUEUE: z.string().default('reports'),
  /** Longest one analytics query may run in the database before it is stopped (answered 422, limit `statement_timeout`). */
  ANALYTICS_STATEMENT_TIMEOUT_MS: int(100, 600_000).default(15_000),
  /** Highest planner cost (EXPLAIN's total cost) an analytics query may have; over it, 422 with limit `cost`, before it runs. */
  ANALYTICS_MAX_COST: z.coerce.number().positive().default(20_000_000),
  /** Time zone in which the time grains (day, week, month …) cut the ERP's timestamps. */
  ANALYTICS_TIME_ZONE: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/, 'an IANA time zone such as UTC or Asia/Shanghai')
    .refine(isTimeZone, 'an unknown time zone')
    .default('UTC'),
  /** How long an analytics answer (query, pivot, forecast, anomalies) is kept in the cache; an ERP import drops it sooner. */
  ANALYTICS_CACHE_TTL_MS: int(0, 86_400_000).default(300_000),
  /** Task queue of the email workflows (sendEmail); tests use a unique one. */
  EMAIL_TASK_QUEUE: z.string().default('email'),
  /** Task queue of backups, restores and knowledge-base syncs; tests use a unique one. */
  MAINTENANCE_TASK_QUEUE: z.string().default('maintenance'),
  /** Where mail goes: MailDev in development (`npm start` runs it), a relay in production (smtp:// or smtps://, user:pass@ allowed). */
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'an smtp:// or smtps:// URL').default('smtp://127.0.0.1:1025'),
  /** The From of every message the platform sends. */
  EMAIL_FROM: z.string().min(3).max(320).default('AI Stack <noreply@aistack.local>'),
  /** The domain of generated Message-IDs (`<id@domain>`). */
  EMAIL_MESSAGE_ID_DOMAIN: z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, 'a host name').default('aistack.local'),
  /** Messages per minute to any one recipient domain, across every email worker. */
  EMAIL_DOMAIN_RATE_PER_MINUTE: int(1, 1_000_000).default(600),
  /**
   * A REST API that tells whether the mail server holds a Message-ID (MailDev's, e.g. http://127.0.0.1:1080),
   * asked when a worker died between handing a message to SMTP and recording it. Unset: such a message is
   * not sent again and is recorded `uncertain` (see the README's email guarantee).
   */
  EMAIL_DELIVERY_CHECK_URL: z.string().url().optional(),
  /** The mail server's web UI, printed by `npm start` next to the Temporal Web UI. */
  MAIL_UI_URL: z.string().url().optional(),
  /** 32-byte key (64 hex characters or base64) that encrypts backups with AES-256-GCM; unset: not encrypted. */
  BACKUP_ENCRYPTION_KEY: z.string().optional(),
  /** How many daily, weekly (a Sunday's) and monthly (a month's first) backups are kept; older ones are deleted. */
  BACKUP_KEEP_DAILY: int(0, 3650).default(7),
  BACKUP_KEEP_WEEKLY: int(0, 520).default(4),
  BACKUP_KEEP_MONTHLY: int(0, 1200).default(12),
  /** PostgreSQL URL of a role allowed to create databases, for restoring each backup into a scratch database; unset: DATABASE_URL. */
  BACKUP_VERIFY_DATABASE_URL: z.string().url().optional(),
  /** Where pg_dump, pg_restore and psql live (Debian's postgresql-client); their major version must be at least the server's. */
  BACKUP_PG_BIN_DIR: z.string().default('/usr/lib/postgresql/15/bin'),
  /** gzip level of backup parts, 1 (fastest) to 9 (smallest); 6 is zlib's and pg_dump's own default. */
  BACKUP_COMPRESSION_LEVEL: int(1, 9).default(6),
  /** Directories under which directory and local Git sources of knowledge-base sync may live (`:`-separated); nothing outside is read. */
  KB_SOURCE_ROOTS: z.string().default(path.join(cacheDir, 'sources')),
  /** Where knowledge-base sync keeps its Git clones (one bare repository per source). */
  KB_SYNC_CACHE_DIR: z.string().default(path.join(cacheDir, 'state', 'kb-sync')),
  /** Most files one source may hold; a larger tree fails its sync (nothing is applied) rather than being cut short. */
  KB_SYNC_MAX_FILES: int(1, 1_000_000).default(10_000),
  /** Chunk size bound in model tokens, and the overlap carried between chunks. */
  CHUNK_MAX_TOKENS: int(32, 8192).default(400),
  CHUNK_OVERLAP_TOKENS: int(0, 1024).default(60),
  /** OCR of scanned PDFs and images: a longer document is refused, not cut short. */
  OCR_MAX_PAGES: int(1, 10_000).default(50),
  /** Time for one scanned page (rendering and recognition); about 2 s is usual for A4 at 300 dpi. */
  OCR_PAGE_TIMEOUT_MS: int(1_000, 3_000_000).default(60_000),
  /** Time for all pages of one document; at most 50 minutes, inside the OCR activity's 1 h limit in the workflow. */
  OCR_TOTAL_TIMEOUT_MS: int(1_000, 3_000_000).default(600_000),
  /** Tesseract languages joined by `+`; each needs its Debian package (tesseract-ocr-<lang>). */
  OCR_LANGUAGES: z
    .string()
    .regex(/^[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*$/, 'expected Tesseract languages such as chi_sim+eng')
    .default('chi_sim+eng'),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

/** Reads and validates the config; throws ConfigError naming every bad option. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  if (config.CHUNK_OVERLAP_TOKENS >= config.CHUNK_MAX_TOKENS) {
    throw new ConfigError('invalid configuration: CHUNK_OVERLAP_TOKENS must be smaller than CHUNK_MAX_TOKENS');
  }
  if (config.SEARCH_ENGINE === 'elasticsearch' && !config.ELASTICSEARCH_URL) {
    throw new ConfigError('invalid configuration: SEARCH_ENGINE=elasticsearch needs ELASTICSEARCH_URL');
  }
  if (config.EMBEDDING_PROVIDER === 'openai' && !config.EMBEDDING_BASE_URL) {
    throw new ConfigError('invalid configuration: EMBEDDING_PROVIDER=openai needs EMBEDDING_BASE_URL');
  }
  if (config.BACKUP_ENCRYPTION_KEY !== undefined && !isAes256Key(config.BACKUP_ENCRYPTION_KEY)) {
    throw new ConfigError('invalid configuration: BACKUP_ENCRYPTION_KEY must be 32 bytes, as 64 hex characters or base64');
  }
  return config;
}

/** The bytes of a 32-byte key written as 64 hex characters or base64, or undefined. */
export function aes256Key(text: string): Buffer | undefined {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  return key.length === 32 ? key : undefined;
}
const isAes256Key = (text: string) => aes256Key(text) !== undefined;

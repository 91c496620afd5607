/**
 * bench/search: `npm run bench:search`. Not a test.
 *
 * Data: BENCH_DOCS generated documents (default 100 000, lexical only: see
 * bench/search-data.ts) and BENCH_ORDERS ERP orders from the ERP generator
 * (default 1 000 000, lib/erp, by COPY) in a scratch PostgreSQL database.
 * Indexing: documents/s and orders/s into each engine (PostgreSQL: the chunk words
 * written as ingestion does, then `upsert`; orders by `rebuild`. Elasticsearch:
 * `upsert` in bulk for documents, `rebuild` for orders).
 * Queries: a fixed mix (Chinese, English, a typo, a wrong character, boolean, a
 * phrase; filtered and faceted orders) through the search service in lexical mode
 * ("ours"), against the same engine requests sent raw (the peer, bench/search-peer.ts),
 * one at a time, alternating, BENCH_ROUNDS rounds (default 20) after a warm-up.
 * Engines: BENCH_ENGINES (default `postgres,elasticsearch`). The last line pools
 * both engines' samples: `search: ours=<p95 ms> peer=<p95 ms> ratio=<r>`.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import pg from 'pg';
import { createDatabase } from '../lib/db/index.ts';
import { loadGeneratedErp } from '../lib/erp/generate-load.ts';
import { createElasticsearchEngine } from '../lib/search/adapters/elasticsearch/index.ts';
import { createPostgresSearchEngine } from '../lib/search/adapters/postgres/index.ts';
import type { SearchEngine } from '../lib/search/port.ts';
import { scanRecords } from '../lib/search/records.ts';
import { createSearchService, type SearchBody } from '../lib/search/service.ts';
import { segmentForIndex } from '../lib/search/segment.ts';
import { createVocabulary } from '../lib/search/vocabulary.ts';
import { createScratchDatabase } from '../test/helpers/platform.ts';
import { benchDocumentBatches, documentText, storeBenchDocuments } from './search-data.ts';
import { recordingDatabase, replayHttp, replaySql, startRecordingProxy, type CapturedHttp, type CapturedSql } from './search-peer.ts';

const DOCS = Number(process.env.BENCH_DOCS ?? 100_000);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const ENGINES = (process.env.BENCH_ENGINES ?? 'postgres,elasticsearch').split(',');
const ES_URL = process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';
const BATCH = 1000;

const seconds = (since: number) => (performance.now() - since) / 1000;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

const scratch = await createScratchDatabase();
const db = await createDatabase({ DATABASE_URL: scratch.url, PGLITE_DIR: '', DATABASE_POOL_MAX: 4 });
const vocabulary = createVocabulary(db);
const closers: (() => Promise<void>)[] = [];
const samples = { ours: [] as number[], peer: [] as number[] };
const lines: string[] = [];

try {
  // The source data, once, shared by both engines.
  let started = performance.now();
  const erp = await loadGeneratedErp(db, { orders: ORDERS }, { copyUrl: scratch.url, indexQueue: false });
  console.log(`erp: ${erp.counts.orders} orders, ${erp.counts.customers} customers, ${erp.counts.products} products loaded by COPY in ${seconds(started).toFixed(1)} s`);
  started = performance.now();
  for (const batch of benchDocumentBatches(DOCS, BATCH)) {
    await storeBenchDocuments(db, batch);
    await vocabulary.record('documents', batch.map(documentText));
  }
  const sourceSeconds = seconds(started);
  console.log(`documents: ${DOCS} written with their jieba words (tsvector) and vocabulary in ${sourceSeconds.toFixed(1)} s = ${(DOCS / sourceSeconds).toFixed(0)} docs/s`);
  const names = await db.query<{ name: string }>('select name from customers union all select name from products');
  await vocabulary.record('orders', names.rows.map((r) => r.name));
  await db.query('analyze');

  const { rows: sample } = await db.query<{ name: string }>('select c.name from customers c order by c.id limit 2');
  const { rows: products } = await db.query<{ name: string }>('select p.name from products p order by p.sku limit 2');
  // A distinctive word of a name (not 有限公司 or Ltd, which every other name has).
  const common = new Set(['有限公司', '有限', '公司', '集团', 'ltd', 'co', 'inc', 'group', 'llc', 'gmbh']);
  const nameWord = (name: string) => segmentForIndex(name).split(' ').filter((w) => !common.has(w)).sort((a, b) => b.length - a.length)[0] ?? name;
  const queries: { index: 'documents' | 'orders'; body: SearchBody }[] = [
    ...['差旅报销标准', 'expense claim receipts', 'reimbursment', '报消', '报销 AND 发票 NOT 系统', '"expense report"', 'VPN OR 无线网络', 'password -VaultKey'].map(
      (query) => ({ index: 'documents' as const, body: { query, mode: 'lexical' as const, limit: 10 } }),
    ),
    { index: 'documents', body: { query: '年假', mode: 'lexical', limit: 10, filters: { knowledge_base: ['hr'], created_at: { gte: '2025-01-01' } }, facets: ['tags', 'month'] } },
    { index: 'orders', body: { query: nameWord(sample[0]!.name), limit: 20, filters: { status: ['paid'], ordered_at: { gte: '2025-01-01', lt: '2026-01-01' } }, facets: ['status', 'region', 'month', 'amount'] } },
    { index: 'orders', body: { query: nameWord(products[0]!.name), limit: 20, sort: ['-amount'] } },
    { index: 'orders', body: { limit: 20, filters: { region: ['华东'], amount: { gte: 1000 } }, facets: ['category', 'segment', 'amount'] } },
  ];

  for (const kind of ENGINES) {
    const engine: SearchEngine[] = [];
    let capture: () => CapturedHttp[] | CapturedSql[] | null;
    let startCapture: () => void;
    let replay: (captured: unknown[]) => Promise<void>;
    if (kind === 'postgres') {
      const recorder = recordingDatabase(db);
      engine.push(createPostgresSearchEngine({ db, dimension: 512, timeoutMs: 60_000 }));
      engine.push(createPostgresSearchEngine({ db: recorder.db, dimension: 512, timeoutMs: 60_000 }));
      const client = new pg.Client({ connectionString: scratch.url });
      await client.connect();
      closers.push(() => client.end());
      startCapture = () => void (recorder.state.recording = []);
      capture = () => recorder.state.recording;
      replay = (captured) => replaySql(client, captured as CapturedSql[]);
    } else {
      const prefix = `bench-${randomUUID().slice(0, 8)}`;
      const proxy = await startRecordingProxy(ES_URL);
      closers.push(proxy.close);
      closers.push(() => dropPrefix(prefix));
      engine.push(createElasticsearchEngine({ url: ES_URL, prefix, dimension: 512, timeoutMs: 60_000 }));
      engine.push(createElasticsearchEngine({ url: proxy.url, prefix, dimension: 512, timeoutMs: 60_000 }));
      startCapture = () => void (proxy.state.recording = []);
      capture = () => proxy.state.recording;
      replay = (captured) => replayHttp(ES_URL, captured as CapturedHttp[]);
    }
    const [direct, recorded] = engine as [SearchEngine, SearchEngine];
    closers.push(() => direct.close(), () => recorded.close());
    await direct.ensureReady();

    started = performance.now();
    for (const batch of benchDocumentBatches(DOCS, kind === 'postgres' ? BATCH : 500)) await direct.upsert('documents', batch);
    const upsertSeconds = seconds(started);
    const docsLine = kind === 'postgres'
      ? `${(DOCS / (upsertSeconds + sourceSeconds)).toFixed(0)} docs/s (words into chunks ${sourceSeconds.toFixed(1)} s + upsert ${upsertSeconds.toFixed(1)} s)`
      : `${(DOCS / upsertSeconds).toFixed(0)} docs/s (bulk upsert ${upsertSeconds.toFixed(1)} s)`;
    started = performance.now();
    const { records: orderCount } = await direct.rebuild('orders', scanRecords(db, 'orders', 5000));
    const ordersSeconds = seconds(started);
    await direct.rebuild('customers', scanRecords(db, 'customers', 5000));
    console.log(`${kind} indexing: documents ${docsLine}; orders ${(orderCount / ordersSeconds).toFixed(0)} orders/s (${orderCount} by rebuild in ${ordersSeconds.toFixed(1)} s)`);

    const ours = createSearchService({ db, engine: direct, vocabulary, queryEmbeddings: { embed: () => Promise.reject(new Error('lexical only')) } });
    const capturing = createSearchService({ db, engine: recorded, vocabulary, queryEmbeddings: { embed: () => Promise.reject(new Error('lexical only')) } });
    const captured: unknown[][] = [];
    for (const q of queries) {
      startCapture();
      const answer = await capturing.search('default', q.index, q.body);
      captured.push([...(capture() ?? [])]);
      console.log(`  ${q.index} ${JSON.stringify(q.body.query ?? '')}: ${answer.total} matches, ${captured.at(-1)!.length} engine request(s)`);
    }
    const mine: number[] = [];
    const theirs: number[] = [];
    for (let round = -2; round < ROUNDS; round++) {
      for (const [i, q] of queries.entries()) {
        let t = performance.now();
        await ours.search('default', q.index, q.body);
        const oursMs = performance.now() - t;
        t = performance.now();
        await replay(captured[i]!);
        const peerMs = performance.now() - t;
        if (round >= 0) {
          // Two warm-up rounds are not counted.
          mine.push(oursMs);
          theirs.push(peerMs);
        }
      }
    }
    samples.ours.push(...mine);
    samples.peer.push(...theirs);
    const line = `search-${kind}: ours p50=${percentile(mine, 50).toFixed(1)} p95=${percentile(mine, 95).toFixed(1)} ms, peer p50=${percentile(theirs, 50).toFixed(1)} p95=${percentile(theirs, 95).toFixed(1)} ms, ratio=${(percentile(mine, 95) / percentile(theirs, 95)).toFixed(2)} (${mine.length} queries)`;
    console.log(line);
    lines.push(line);
  }
} finally {
  for (const close of closers.reverse()) await close().catch((error: unknown) => console.error('closing:', error));
  await db.close();
  await scratch.drop();
}

async function dropPrefix(prefix: string) {
  const admin = new Client({ node: ES_URL });
  const indexes = Object.keys(await admin.indices.get({ index: `${prefix}-*`, expand_wildcards: 'all' }).catch(() => ({})));
  if (indexes.length > 0) await admin.indices.delete({ index: indexes });
  for (const index of ['documents', 'customers', 'orders']) await admin.indices.deleteIndexTemplate({ name: `${prefix}-${index}` }).catch(() => {});
  await admin.close();
}

const ours95 = percentile(samples.ours, 95);
const peer95 = percentile(samples.peer, 95);
console.log(`search: ours=${ours95.toFixed(1)} peer=${peer95.toFixed(1)} ratio=${(ours95 / peer95).toFixed(2)}`);

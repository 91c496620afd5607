import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createIngestActivities } from '../../activities/ingest.ts';
import { chunkText } from '../../lib/documents/chunk.ts';
import { replaceChunks } from '../../lib/documents/chunk-repository.ts';
import { extractText } from '../../lib/documents/extract/index.ts';
import { createPreparePool, type PreparePool } from '../../lib/documents/prepare/pool.ts';
import { insertDocumentIfNew } from '../../lib/documents/repository.ts';
import { segmentForIndex } from '../../lib/search/segment.ts';
import { retentionPolicyEn, travelPolicyZh } from '../fixtures/corpus.ts';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';

/** About 6 MB of HTML with tables: seconds of html-to-text, chunking and jieba. */
const bigHtml = () =>
  '<html><body>' +
  Array.from(
    { length: 3000 },
    (_, i) => `<h2>第${i}节</h2><table>${'<tr><td>住宿</td><td>600元</td><td>Customer records are kept</td></tr>'.repeat(20)}</table><p>${travelPolicyZh}</p>`,
  ).join('') +
  `<p>${randomUUID()}</p></body></html>`;

/** The longest the event loop went without running a 10 ms timer, from now until `stop`. */
function loopStallMeter(): { stop(): Promise<number> } {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 10);
  return {
    async stop() {
      await new Promise((resolve) => setTimeout(resolve, 30)); // a stall ends when the timer next runs
      clearInterval(timer);
      return longest;
    },
  };
}

describe('parsing off the event loop', () => {
  let t: TestPlatform;
  let pool: PreparePool;
  let activities: ReturnType<typeof createIngestActivities>;

  /** Stores bytes as a queued document, without starting a workflow: the test runs the activities itself. */
  async function storeDocument(bytes: string, docType: string): Promise<string> {
    const id = randomUUID().replaceAll('-', '').padEnd(64, '0');
    await t.platform.blobs.put(`documents/${id}`, Readable.from([bytes]));
    await insertDocumentIfNew(t.platform.db, {
      id, contentSha256: id, title: null, source: null, tags: [], filename: null, docType,
      sizeBytes: Buffer.byteLength(bytes), blobKey: `documents/${id}`, workflowId: `doc-${id}`,
    });
    return id;
  }

  before(async () => {
    // PGlite, the harder case: the database itself runs on this thread.
    t = await startTestPlatform('pglite', { withWorker: false });
    pool = createPreparePool({ threads: 1 });
    activities = createIngestActivities({
      db: t.platform.db,
      blobs: t.platform.blobs,
      embedder: t.platform.embedder,
      preparePool: pool,
      chunking: { maxTokens: 400, overlapTokens: 60 },
      embedBatchSize: 8,
      ocrAvailable: false,
      cache: t.platform.cache,
    });
  });
  after(async () => {
    await pool?.close();
    await t?.close();
  });

  test('a slow parse beside an embedding activity: the loop stays responsive and both heartbeat in time', { timeout: 300_000 }, async () => {
    // A document chunked but not yet embedded: its embedding runs beside the big parse.
    const smallText = Array.from({ length: 30 }, (_, i) => `## ${i}\n\n${retentionPolicyEn}`).join('\n\n');
    const small = await storeDocument(smallText, 'md');
    const chunks = chunkText(smallText, { maxTokens: 400, overlapTokens: 60, countTokens: (s) => t.platform.embedder.countTokens(s) });
    await replaceChunks(t.platform.db, small, chunks.map((c) => ({ ...c, heading: null })));
    const big = await storeDocument(bigHtml(), 'html');

    const beats: Record<'parse' | 'embed', number[]> = { parse: [], embed: [] };
    const environment = (name: 'parse' | 'embed') => {
      const env = new MockActivityEnvironment();
      env.on('heartbeat', () => beats[name].push(performance.now()));
      return env;
    };
    const loop = loopStallMeter();
    const started = performance.now();
    const [parsed, embedded] = await Promise.all([
      environment('parse').run(activities.prepareDocument, { documentId: big }) as Promise<{ total: number }>,
      environment('embed').run(activities.embedPendingChunks, { documentId: small }) as Promise<{ pending: number }>,
    ]);
    const parseMs = performance.now() - started;
    const stall = await loop.stop();

    assert.ok(parsed.total > 1000, `the big document was chunked (${parsed.total})`);
    assert.equal(embedded.pending, 0);
    const maxGap = (times: number[], end: number) => Math.max(...[started, ...times, end].slice(1).map((at, i, all) => at - ([started, ...all][i] ?? started)));
    const embedGap = maxGap(beats.embed, beats.embed.at(-1)!);
    const parseGap = maxGap(beats.parse, started + parseMs);
    console.log(
      `parse ${Math.round(parseMs)} ms (${beats.parse.length} heartbeats, longest silence ${Math.round(parseGap)} ms); ` +
        `embedding ${beats.embed.length} heartbeats, longest silence ${Math.round(embedGap)} ms; longest event-loop stall ${Math.round(stall)} ms`,
    );
    // The workflow's heartbeat timeouts: 15 s for embedding, 30 s for parsing.
    assert.ok(embedGap < 5_000, `embedding heartbeats kept coming (longest silence ${Math.round(embedGap)} ms)`);
    assert.ok(parseGap < 10_000, `the parse heartbeat kept coming (longest silence ${Math.round(parseGap)} ms)`);
    assert.ok(stall < 500, `the event loop never stalled for long (longest ${Math.round(stall)} ms)`);
  });

  test('the same parse, chunking and segmentation on the event loop would stall it: the check above can fail', { timeout: 120_000 }, async () => {
    const file = `${t.env.BLOB_DIR}/inline.html`;
    await t.platform.blobs.put('inline.html', Readable.from([bigHtml()]));
    const loop = loopStallMeter();
    const { text } = await extractText(file, 'html');
    for (const chunk of chunkText(text, { maxTokens: 400, overlapTokens: 60, countTokens: (s) => t.platform.embedder.countTokens(s) })) {
      segmentForIndex(chunk.text);
    }
    const stall = await loop.stop();
    assert.ok(stall > 500, `inline parsing blocked the loop (${Math.round(stall)} ms)`);
  });
});

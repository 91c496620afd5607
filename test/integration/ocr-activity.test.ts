/**
 * The OCR activity on a real database (PGlite) and blob store, with real
 * Tesseract, inside an activity context that records heartbeats. The workflow
 * around it is tested end to end with ingestion.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { asyncLocalStorage, Context, type Info } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { createOcrActivities, type OcrLimits } from '../../activities/ocr.ts';
import { createLocalBlobStore } from '../../lib/blob/local.ts';
import { createDatabase, type Database } from '../../lib/db/index.ts';
import { extractedTextKey } from '../../lib/documents/blob-keys.ts';
import { getDocument } from '../../lib/documents/repository.ts';
import { buildChineseTextPdf, buildImagePdf, encodePng, scanPages } from '../fixtures/documents/scan-writer.ts';

const available = (() => {
  try {
    return /^chi_sim$/m.test(execFileSync('tesseract', ['--list-langs'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString());
  } catch {
    return false;
  }
})();

const LIMITS: OcrLimits = { maxPages: 50, pageTimeoutMs: 60_000, totalTimeoutMs: 600_000, languages: 'chi_sim+eng' };

/** Runs `fn` as an activity would run: Context.current() works, heartbeats are recorded. */
async function inActivity<T>(fn: () => Promise<T>, signal = new AbortController().signal) {
  const heartbeats: unknown[] = [];
  const context = new Context(
    { activityType: 'recognizeDocumentText', attempt: 1 } as Info,
    new Promise<never>(() => {}),
    signal,
    (details?: unknown) => void heartbeats.push(details),
    undefined,
    console as never,
    undefined as never,
    {} as never,
  );
  const result = await asyncLocalStorage.run(context, fn);
  return { result, heartbeats };
}

function failure(type: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(error)}`);
    assert.equal(error.type, type, error.message);
    assert.equal(error.nonRetryable, true);
    return true;
  };
}

describe('recognizeDocumentText activity', { skip: available ? false : 'OCR not installed (bash scripts/setup-ocr.sh)' }, () => {
  let db: Database;
  let blobRoot: string;
  const blobs = () => createLocalBlobStore(blobRoot);

  /** Stores `bytes` as an uploaded document of `type` and returns its id. */
  async function storeDocument(bytes: Buffer, type: string): Promise<string> {
    const sha = createHash('sha256').update(bytes).update(type).digest('hex');
    const blobKey = `documents/${sha}`;
    await blobs().put(blobKey, Readable.from([bytes]));
    await db.query(
      `insert into documents (id, content_sha256, doc_type, size_bytes, blob_key, status, stage, workflow_id)
       values ($1, $1, $2, $3, $4, 'running', 'extracting', $5)`,
      [sha, type, bytes.length, blobKey, `doc-${sha}`],
    );
    return sha;
  }

  before(async () => {
    db = await createDatabase({ PGLITE_DIR: 'memory://', DATABASE_POOL_MAX: 1 });
    blobRoot = mkdtempSync(path.join(tmpdir(), 'aistack-ocr-blobs-'));
  });

  after(async () => {
    await db?.close();
    if (blobRoot) rmSync(blobRoot, { recursive: true, force: true });
  });

  test('reads a scanned PDF page by page, heartbeats each page, and stores the text', async () => {
    const scans = scanPages(buildChineseTextPdf([['增值税专用发票', 'Total amount 12800'], ['采购合同', 'Purchase contract']]));
    const id = await storeDocument(buildImagePdf(scans), 'pdf');
    const { recognizeDocumentText } = createOcrActivities({ db, blobs: blobs(), limits: LIMITS });
    const { result, heartbeats } = await inActivity(() => recognizeDocumentText({ documentId: id }));

    assert.equal(result.textKey, extractedTextKey(id));
    assert.equal(result.pages, 2);
    assert.deepEqual(heartbeats.filter(Boolean).slice(-2), [{ page: 1, pages: 2 }, { page: 2, pages: 2 }]);
    const parts: Buffer[] = [];
    for await (const part of blobs().read(result.textKey)) parts.push(part as Buffer);
    const text = Buffer.concat(parts).toString('utf8');
    assert.equal(text.length, result.characters);
    for (const word of ['增值税专用发票', 'Total amount 12800', '采购合同', 'Purchase contract']) assert.ok(text.includes(word), `${word} in ${text}`);
    const document = await getDocument(db, id);
    assert.equal(document?.stage, 'ocr');
    assert.ok(Math.abs(document!.progress - 0.15) < 1e-6, `progress ${document?.progress}`);
  });

  test('refusals are non-retryable failures with their E_* type', async () => {
    const scan = encodePng(scanPages(buildChineseTextPdf([['发票']]))[0]!);
    const png = await storeDocument(scan, 'png');
    const txt = await storeDocument(Buffer.from('   '), 'txt');
    const activities = (limits: Partial<OcrLimits>) => createOcrActivities({ db, blobs: blobs(), limits: { ...LIMITS, ...limits } });

    await assert.rejects(inActivity(() => activities({}).recognizeDocumentText({ documentId: txt })), failure('E_NO_TEXT'));
    // Without Tesseract (here: without the language it needs) a scan fails as it did before OCR existed.
    await assert.rejects(inActivity(() => activities({ languages: 'xx_none' }).recognizeDocumentText({ documentId: png })), failure('E_NO_TEXT'));
    await assert.rejects(inActivity(() => activities({ pageTimeoutMs: 100 }).recognizeDocumentText({ documentId: png })), failure('E_OCR_TIMEOUT'));
    const pdf = await storeDocument(buildImagePdf([scanPages(buildChineseTextPdf([['一'], ['二']]))[0]!, scanPages(buildChineseTextPdf([['三']]))[0]!]), 'pdf');
    await assert.rejects(inActivity(() => activities({ maxPages: 1 }).recognizeDocumentText({ documentId: pdf })), failure('E_OCR_PAGE_LIMIT'));
  });

  test('a cancelled activity stops its OCR', async () => {
    const scans = scanPages(buildChineseTextPdf([['第一页'], ['第二页']]));
    const id = await storeDocument(buildImagePdf(scans), 'pdf');
    const { recognizeDocumentText } = createOcrActivities({ db, blobs: blobs(), limits: LIMITS });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by the workflow')), 300);
    await assert.rejects(inActivity(() => recognizeDocumentText({ documentId: id }), controller.signal), /cancelled by the workflow/);
    assert.equal(await blobs().exists(extractedTextKey(id)), false);
  });
});

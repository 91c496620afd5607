/**
 * OCR with the real Tesseract on scanned pages made here (scan-writer.ts): an
 * image-only PDF, PNG, JPEG and a multi-page TIFF, with Chinese and English
 * text. Slow (about a second or two a page); needs `bash scripts/setup-ocr.sh`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { extractText } from '../../../lib/documents/extract/index.ts';
import { isOcrAvailable, recognizeText, type OcrOptions } from '../../../lib/documents/ocr/index.ts';
import type { DocumentType } from '../../../lib/documents/types.ts';
import { buildPdf } from '../../fixtures/documents/pdf-writer.ts';
import {
  buildChineseTextPdf,
  buildImagePdf,
  buildTiff,
  encodePng,
  scanPages,
  scanPagesJpeg,
  type GreyImage,
} from '../../fixtures/documents/scan-writer.ts';
import { removeTempFiles, tempFile } from '../../fixtures/documents/temp-files.ts';
import { rejection } from '../../helpers/rejection.ts';

/** The printed originals: an invoice and a contract, Chinese and English. */
const INVOICE = ['增值税专用发票', '购买方：上海星云科技有限公司', 'Invoice number 20240518', 'Total amount 12800 元'];
const CONTRACT = ['采购合同', 'Purchase contract for office printers', '交货期限为三十天'];
/** Words OCR must find on each page (the ones it reads reliably at 20 pt). */
const INVOICE_WORDS = ['增值税专用发票', '上海星云科技有限公司', 'Total amount 12800'];
const CONTRACT_WORDS = ['采购合同', 'Purchase contract for office printers', '交货期限为三十天'];

/** Synchronously, so that the suite can be skipped when it is declared. */
function tesseractWithLanguages(): boolean {
  try {
    const langs = execFileSync('tesseract', ['--list-langs'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    execFileSync('pdftoppm', ['-v'], { stdio: 'ignore' });
    return /^chi_sim$/m.test(langs) && /^eng$/m.test(langs);
  } catch {
    return false;
  }
}
const available = tesseractWithLanguages();
const skip = available ? false : 'OCR not installed (bash scripts/setup-ocr.sh)';

let scans: GreyImage[] = [];
let tempRoot = '';

before(async () => {
  if (!available) return;
  assert.equal(await isOcrAvailable(), true);
  scans = scanPages(buildChineseTextPdf([INVOICE, CONTRACT]));
});

after(() => {
  removeTempFiles();
  if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
});

/** Runs OCR with a private temp root and checks that nothing is left in it, whatever the outcome. */
async function ocr(file: string, type: DocumentType, options: OcrOptions = {}) {
  tempRoot ||= mkdtempSync(path.join(tmpdir(), 'aistack-ocr-test-'));
  try {
    return await recognizeText(file, type, { ...options, tempRoot });
  } finally {
    assert.deepEqual(readdirSync(tempRoot), [], 'OCR left temporary files behind');
  }
}

function assertWords(text: string, words: string[]) {
  for (const word of words) assert.ok(text.includes(word), `"${word}" not recognised in:\n${text}`);
  // Tesseract's spaces between Chinese characters are gone.
  assert.doesNotMatch(text, /\p{Script=Han} \p{Script=Han}/u);
}

describe('OCR with Tesseract', { skip }, () => {
  test('a scanned two-page PDF without a text layer is read page by page, in order', async (t) => {
    const file = tempFile(buildImagePdf(scans));
    await assert.rejects(extractText(file, 'pdf'), rejection('E_NO_TEXT'), 'the PDF has a text layer; it is no scan');
    const calls: [number, number][] = [];
    const started = performance.now();
    const { text, pages } = await ocr(file, 'pdf', { onPage: (page, of) => void calls.push([page, of]) });
    t.diagnostic(`OCR of a 2-page A4 PDF at 300 dpi: ${((performance.now() - started) / 2000).toFixed(2)} s a page`);
    assert.equal(pages, 2);
    assert.deepEqual(calls, [[1, 2], [2, 2]]);
    assertWords(text, [...INVOICE_WORDS, ...CONTRACT_WORDS]);
    assert.ok(text.indexOf('增值税专用发票') < text.indexOf('采购合同'), 'page 1 comes first');
  });

  test('PNG and JPEG scans', async (t) => {
    for (const [type, bytes] of [['png', encodePng(scans[0]!)], ['jpeg', scanPagesJpeg(buildChineseTextPdf([INVOICE]))[0]!]] as const) {
      const started = performance.now();
      const { text, pages } = await ocr(tempFile(bytes), type);
      t.diagnostic(`${type}: ${((performance.now() - started) / 1000).toFixed(2)} s`);
      assert.equal(pages, 1);
      assertWords(text, INVOICE_WORDS);
    }
  });

  test('a multi-page TIFF is read one directory at a time', async () => {
    const calls: number[] = [];
    const { text, pages } = await ocr(tempFile(buildTiff(scans)), 'tiff', { onPage: (page) => void calls.push(page) });
    assert.equal(pages, 2);
    assert.deepEqual(calls, [1, 2]);
    assertWords(text, [...INVOICE_WORDS, ...CONTRACT_WORDS]);
    assert.equal(text.split('增值税专用发票').length, 2, 'each page read once');
  });

  test('more pages than the limit are refused before any OCR', async () => {
    const three = [scans[0]!, scans[1]!, scans[0]!];
    for (const [type, bytes] of [['pdf', buildImagePdf(three)], ['tiff', buildTiff(three)]] as const) {
      let called = false;
      const started = performance.now();
      await assert.rejects(ocr(tempFile(bytes), type, { maxPages: 2, onPage: () => void (called = true) }), rejection('E_OCR_PAGE_LIMIT', /more than 2 pages/));
      assert.equal(called, false);
      assert.ok(performance.now() - started < 1000, 'refused without reading pages');
    }
  });

  test('a page over its time limit is stopped, not waited for', async () => {
    const started = performance.now();
    await assert.rejects(ocr(tempFile(encodePng(scans[0]!)), 'png', { pageTimeoutMs: 300 }), rejection('E_OCR_TIMEOUT', /page 1 .*0\.3 s.*OCR_PAGE_TIMEOUT_MS/));
    assert.ok(performance.now() - started < 1500, `took ${performance.now() - started} ms`);
    await assert.rejects(ocr(tempFile(buildImagePdf(scans)), 'pdf', { pageTimeoutMs: 200 }), rejection('E_OCR_TIMEOUT', /page 1/));
  });

  test('the whole document has a time limit too', async () => {
    const started = performance.now();
    await assert.rejects(ocr(tempFile(buildTiff([scans[0]!, scans[1]!, scans[0]!])), 'tiff', { totalTimeoutMs: 1500 }), rejection('E_OCR_TIMEOUT', /in all.*OCR_TOTAL_TIMEOUT_MS/));
    assert.ok(performance.now() - started < 3000, `took ${performance.now() - started} ms`);
  });

  test('an abort (a cancelled activity) stops OCR at once', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('activity cancelled')), 200);
    const started = performance.now();
    await assert.rejects(ocr(tempFile(buildImagePdf(scans)), 'pdf', { signal: controller.signal }), /activity cancelled/);
    assert.ok(performance.now() - started < 1500);
  });

  test('a blank scan and a drawing without letters have no text', async () => {
    const blank: GreyImage = { width: 1240, height: 1754, pixels: Buffer.alloc(1240 * 1754, 255) };
    await assert.rejects(ocr(tempFile(encodePng(blank)), 'png'), rejection('E_NO_TEXT', /recognised no text/));
    await assert.rejects(ocr(tempFile(buildPdf([{ rectangle: true }])), 'pdf'), rejection('E_NO_TEXT'));
  });

  test('a truncated image is a corrupt document', async () => {
    const png = encodePng(scans[0]!);
    await assert.rejects(ocr(tempFile(png.subarray(0, png.length / 2)), 'png'), rejection('E_CORRUPT_DOCUMENT'));
  });
});

/**
 * Scanned documents through the whole pipeline: an image-only PDF and a PNG,
 * generated in the test from printed Chinese and English text, are recognised
 * by Tesseract, chunked, embedded and found by search.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { isOcrAvailable } from '../../lib/documents/ocr/index.ts';
import { buildChineseTextPdf, buildImagePdf, encodePng, scanPages } from '../fixtures/documents/scan-writer.ts';
import { startTestPlatform, upload, waitForDocument, type TestPlatform } from '../helpers/platform.ts';

describe('scanned documents are read by OCR and found by search', { skip: !(await isOcrAvailable()) && 'Tesseract is not installed' }, () => {
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform('pglite');
  });
  after(async () => {
    await t?.close();
  });

  const search = async (q: string) =>
    ((await (await fetch(`${t.api.url}/v1/search/semantic?q=${encodeURIComponent(q)}&k=3`)).json()) as { results: { documentId: string; text: string }[] })
      .results;
  /** Whether the full-text index holds `word` for the document (jieba-segmented, like every search engine gets it). */
  const indexed = async (id: string, word: string) =>
    Number(
      (
        await t.platform.db.query<{ n: number }>(
          `select count(*) as n from chunks where document_id = $1 and search_vector @@ to_tsquery('simple', $2)`,
          [id, word],
        )
      ).rows[0]!.n,
    ) > 0;

  test('an image-only PDF invoice', { timeout: 240_000 }, async () => {
    // A fresh serial number keeps the bytes new on a server that saw earlier runs.
    const serial = String(Math.floor(Math.random() * 9e5) + 1e5);
    const scan = buildImagePdf(scanPages(buildChineseTextPdf([['增值税专用发票', `No ${serial}`, 'Total amount 12800'], ['采购合同', 'Purchase contract']])));
    const { status, body } = await upload(t.api.url, scan, 'invoice-scan.pdf');
    assert.equal(status, 202);
    const document = await waitForDocument(t.api.url, body.id, 200_000);
    assert.equal(document.status, 'ready', JSON.stringify(document.error));
    assert.ok(document.chunks >= 1);
    assert.ok(await indexed(body.id, '发票'), 'the recognised Chinese word is in the full-text index');
    assert.ok(await indexed(body.id, serial), 'the recognised serial number is in the full-text index');
    const hits = await search('增值税专用发票');
    assert.equal(hits[0]?.documentId, body.id, 'semantic search finds the scan first');
    assert.match(hits[0]!.text, /增值税专用发票/);
  });

  test('a PNG photo of a page', { timeout: 240_000 }, async () => {
    const marker = randomUUID().slice(0, 8);
    const png = encodePng(scanPages(buildChineseTextPdf([['员工入职登记表', `Employee onboarding form ${marker}`]]))[0]!);
    const { body } = await upload(t.api.url, png, 'form.png');
    const document = await waitForDocument(t.api.url, body.id, 200_000);
    assert.equal(document.status, 'ready', JSON.stringify(document.error));
    assert.equal(document.type, 'png');
    assert.ok(await indexed(body.id, 'onboarding'));
    assert.equal((await search('入职登记'))[0]?.documentId, body.id);
  });
});

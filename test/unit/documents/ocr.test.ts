/** OCR without running Tesseract on a page: text clean-up, image headers, refusals. Fast. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractText } from '../../../lib/documents/extract/index.ts';
import { readImageInfo } from '../../../lib/documents/ocr/image-info.ts';
import { cleanOcrText, isOcrAvailable, recognizeText, removeCjkSpaces } from '../../../lib/documents/ocr/index.ts';
import { RENDER_DPI, renderDpi } from '../../../lib/documents/ocr/pdf-pages.ts';
import { removeTempFiles, tempFile } from '../../fixtures/documents/temp-files.ts';
import { rejection } from '../../helpers/rejection.ts';

after(removeTempFiles);

function pngHeader(width: number, height: number): Buffer {
  const head = Buffer.from('89504e470d0a1a0a0000000d49484452000000000000000008000000', 'hex');
  head.writeUInt32BE(width, 16);
  head.writeUInt32BE(height, 20);
  return head;
}

/** A JPEG whose frame header (SOF2, progressive) comes after an EXIF segment and a fill byte. */
function jpegHeader(width: number, height: number): Buffer {
  const exif = Buffer.concat([Buffer.from('ffe10010', 'hex'), Buffer.from('Exif\0\0', 'latin1'), Buffer.alloc(8)]);
  const sof = Buffer.from('ffc2000b08000000000101', 'hex');
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from('ffd8', 'hex'), exif, Buffer.from([0xff]), sof, Buffer.from('ffd9', 'hex')]);
}

/** A TIFF with one directory per page, each with width and height only; `loop` points the last page back at the first. */
function tiffHeader(pages: { width: number; height: number }[], options: { bigEndian?: boolean; loop?: boolean } = {}): Buffer {
  const be = options.bigEndian ?? false;
  const out = Buffer.alloc(8 + pages.length * 30);
  const u16 = (v: number, at: number) => (be ? out.writeUInt16BE(v, at) : out.writeUInt16LE(v, at));
  const u32 = (v: number, at: number) => (be ? out.writeUInt32BE(v, at) : out.writeUInt32LE(v, at));
  out.write(be ? 'MM' : 'II', 0, 'latin1');
  u16(42, 2);
  u32(8, 4);
  pages.forEach((page, i) => {
    const at = 8 + i * 30;
    u16(2, at);
    u16(256, at + 2); u16(3, at + 4); u32(1, at + 6); u16(page.width, at + 10); // SHORT width
    u16(257, at + 14); u16(4, at + 16); u32(1, at + 18); u32(page.height, at + 22); // LONG height
    u32(i < pages.length - 1 ? at + 30 : options.loop ? 8 : 0, at + 26);
  });
  return out;
}

describe('OCR text clean-up', () => {
  test('spaces between Chinese characters go; between Latin words, and Latin and Chinese, they stay', () => {
    assert.equal(removeCjkSpaces('差 旅 报 销 管 理 办 法'), '差旅报销管理办法');
    assert.equal(removeCjkSpaces('第 一 条 ， 为 规 范 。'), '第一条，为规范。');
    assert.equal(removeCjkSpaces('ERP 系 统 version 2.1 supports 报 销 workflow.'), 'ERP 系统 version 2.1 supports 报销 workflow.');
    assert.equal(removeCjkSpaces('Total amount 12800 元'), 'Total amount 12800 元');
    assert.equal(removeCjkSpaces('カ タ カ ナ と ひ ら が な'), 'カタカナとひらがな');
    assert.equal(removeCjkSpaces('한국어 문장 입니다'), '한국어 문장 입니다'); // Korean is written with spaces
    assert.equal(removeCjkSpaces('上 海\n星 云'), '上海\n星云'); // never across lines
  });

  test('pages are joined as paragraphs and normalized', () => {
    assert.equal(cleanOcrText(['增 值 税 发 票\n\n\n\nInvoice  number ８８\f', '  采 购\u3000合 同  ']), '增值税发票\n\nInvoice number 88\n\n采购合同');
  });
});

describe('image headers before OCR', () => {
  test('PNG, JPEG and TIFF sizes and page counts', async () => {
    assert.deepEqual(await readImageInfo(tempFile(pngHeader(2480, 3508)), 'png', 50), { pages: 1, width: 2480, height: 3508 });
    assert.deepEqual(await readImageInfo(tempFile(jpegHeader(4000, 3000)), 'jpeg', 50), { pages: 1, width: 4000, height: 3000 });
    const pages = [{ width: 100, height: 200 }, { width: 2480, height: 3508 }, { width: 50, height: 50 }];
    assert.deepEqual(await readImageInfo(tempFile(tiffHeader(pages)), 'tiff', 50), { pages: 3, width: 2480, height: 3508 });
    assert.deepEqual(await readImageInfo(tempFile(tiffHeader(pages, { bigEndian: true })), 'tiff', 50), { pages: 3, width: 2480, height: 3508 });
  });

  test('counting TIFF pages stops one past the limit', async () => {
    const many = Array.from({ length: 40 }, () => ({ width: 10, height: 10 }));
    assert.equal((await readImageInfo(tempFile(tiffHeader(many)), 'tiff', 5)).pages, 6);
  });

  test('broken headers are corrupt documents', async () => {
    await assert.rejects(readImageInfo(tempFile(tiffHeader([{ width: 1, height: 1 }, { width: 1, height: 1 }], { loop: true })), 'tiff', 50), rejection('E_CORRUPT_DOCUMENT', /loop/));
    await assert.rejects(readImageInfo(tempFile(pngHeader(1, 1).subarray(0, 20)), 'png', 50), rejection('E_CORRUPT_DOCUMENT'));
    await assert.rejects(readImageInfo(tempFile(Buffer.from('ffd8ffd9', 'hex')), 'jpeg', 50), rejection('E_CORRUPT_DOCUMENT'));
    // A text file must never reach Tesseract, which reads an unknown format as a list of paths to open.
    await assert.rejects(readImageInfo(tempFile('/etc/passwd\n/etc/shadow\n/root/.ssh/id_rsa\n'), 'png', 50), rejection('E_CORRUPT_DOCUMENT', /signature/));
  });
});

describe('OCR refusals', () => {
  test('extraction sends images to OCR with E_NO_TEXT', async () => {
    for (const type of ['png', 'jpeg', 'tiff'] as const) {
      await assert.rejects(extractText(tempFile(pngHeader(10, 10)), type), rejection('E_NO_TEXT', /OCR/));
    }
  });

  test('without the OCR tools (here: a language not installed) a scan fails with E_NO_TEXT', async () => {
    assert.equal(await isOcrAvailable('xx_none'), false);
    await assert.rejects(recognizeText(tempFile(pngHeader(10, 10)), 'png', { languages: 'xx_none' }), rejection('E_NO_TEXT', /not available.*xx_none/));
  });

  test('OCR reads only PDFs and images', async () => {
    await assert.rejects(recognizeText(tempFile('hello'), 'txt'), rejection('E_UNSUPPORTED_TYPE'));
  });

  test('an image of more than 50 million pixels is refused before OCR', async (t) => {
    if (!(await isOcrAvailable())) return t.skip('OCR not installed (bash scripts/setup-ocr.sh)');
    // 200 bytes of header that declare 40,000 × 40,000 pixels: Tesseract would allocate gigabytes.
    await assert.rejects(recognizeText(tempFile(pngHeader(40_000, 40_000)), 'png'), rejection('E_DOCUMENT_TOO_LARGE', /40000 × 40000/));
  });

  test('huge PDF pages are rendered at a lower resolution, normal ones at 300 dpi', () => {
    assert.equal(renderDpi({ width: 595, height: 842 }), RENDER_DPI);
    const a0 = renderDpi({ width: 2384, height: 3370 });
    assert.ok(a0 < RENDER_DPI && (2384 / 72) * a0 * (3370 / 72) * a0 <= 50_000_000, `A0 at ${a0} dpi`);
    assert.equal(renderDpi({ width: 14400 * 100, height: 14400 * 100 }), 1);
  });
});

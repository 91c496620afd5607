import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { sniffDocumentType } from '../../../lib/documents/sniff.ts';
import { DocumentRejectedError } from '../../../lib/errors.ts';
import { buildPdf } from '../../fixtures/documents/pdf-writer.ts';
import { FIXTURES } from '../../fixtures/documents/temp-files.ts';
import { buildDocx, buildZip } from '../../fixtures/documents/zip-writer.ts';

const bytes = (s: string) => Buffer.from(s, 'utf8');

async function rejectsWith(head: Uint8Array, code: string, hint?: string): Promise<void> {
  await assert.rejects(sniffDocumentType(head, hint), (error: unknown) => {
    assert.ok(error instanceof DocumentRejectedError, `expected DocumentRejectedError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.retryable, false);
    return true;
  });
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d4a3c70000000049454e44ae426082', 'hex');
/** First bytes of a JPEG (JFIF), a little- and a big-endian TIFF, a GIF, a BMP and a WebP image. */
const JPEG = Buffer.from('ffd8ffe000104a46494600010100000100010000ffdb004300', 'hex');
const TIFF_LE = Buffer.concat([Buffer.from('49492a0008000000', 'hex'), Buffer.alloc(64)]);
const TIFF_BE = Buffer.concat([Buffer.from('4d4d002a00000008', 'hex'), Buffer.alloc(64)]);
const GIF = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.from([1, 0, 1, 0, 0x80, 0, 0]), Buffer.alloc(32)]);
const BMP = Buffer.concat([Buffer.from('BM', 'latin1'), Buffer.from('3a000000000000003600000028000000010000000100000001001800', 'hex'), Buffer.alloc(8)]);
const WEBP = Buffer.concat([Buffer.from('RIFF', 'latin1'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WEBPVP8 ', 'latin1'), Buffer.alloc(32)]);
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(56)]);

describe('sniffDocumentType: supported types from bytes', () => {
  test('plain text, Markdown and HTML', async () => {
    assert.equal(await sniffDocumentType(bytes('Just a note.\nSecond line.')), 'txt');
    assert.equal(await sniffDocumentType(bytes('# Title\n\nIntro.\n\n## Part\n\n- a\n- b\n')), 'md');
    assert.equal(await sniffDocumentType(bytes('Intro\n\n```js\nconst a = 1;\n```\n')), 'md');
    assert.equal(await sniffDocumentType(bytes('<!DOCTYPE html><html><body><p>x</p></body></html>')), 'html');
    assert.equal(await sniffDocumentType(bytes('  \n<html lang="zh"><head><title>t</title></head></html>')), 'html');
    assert.equal(await sniffDocumentType(bytes('<!-- saved page -->\n<body><p>hi</p></body>')), 'html');
    assert.equal(await sniffDocumentType(bytes('<?xml version="1.0"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml"></html>')), 'html');
    assert.equal(await sniffDocumentType(bytes('<div><p>fragment</p></div>')), 'html');
  });

  test('a single # line is not enough to call text Markdown', async () => {
    assert.equal(await sniffDocumentType(bytes('# not a heading, a shell comment\necho hi\n')), 'txt');
  });

  test('the filename hint only chooses between Markdown and plain text', async () => {
    assert.equal(await sniffDocumentType(bytes('plain words'), 'notes.md'), 'md');
    assert.equal(await sniffDocumentType(bytes('# A\n\n## B\n\ntext'), 'notes.txt'), 'txt');
    assert.equal(await sniffDocumentType(bytes('<p align="center">logo</p>\n\n# Project\n'), 'README.md'), 'md');
    // A name cannot make HTML, PDF or binary anything else.
    assert.equal(await sniffDocumentType(bytes('<!doctype html><title>x</title>'), 'a.md'), 'html');
    assert.equal(await sniffDocumentType(buildPdf([{ lines: ['x'] }]), 'a.txt'), 'pdf');
    await rejectsWith(ELF, 'E_UNSUPPORTED_TYPE', 'notes.txt');
  });

  test('PDF by its header, also after leading binary junk', async () => {
    assert.equal(await sniffDocumentType(buildPdf([{ lines: ['hello'] }])), 'pdf');
    assert.equal(await sniffDocumentType(Buffer.concat([Buffer.from([0, 1, 2, 3]), buildPdf([{ lines: ['x'] }])])), 'pdf');
    // Prose that mentions the signature is still text.
    assert.equal(await sniffDocumentType(bytes('A PDF starts with %PDF-1.7 on its first line.')), 'txt');
  });

  test('docx by its zip contents, not its name', async () => {
    assert.equal(await sniffDocumentType(buildDocx(['Hello'])), 'docx');
    assert.equal(await sniffDocumentType(readFileSync(path.join(FIXTURES, 'chinese-headings.docx'))), 'docx');
  });

  test('text in UTF-16 and legacy Chinese encodings is text', async () => {
    const zh = '# 报销制度\n\n## 差旅\n\n- 住宿标准\n- 交通标准\n';
    assert.equal(await sniffDocumentType(iconv.encode(zh, 'utf-16le', { addBOM: true })), 'md');
    assert.equal(await sniffDocumentType(iconv.encode(zh, 'utf-16be')), 'md');
    assert.equal(await sniffDocumentType(iconv.encode('公司员工因公出差，应当事先提交出差申请。', 'gb18030')), 'txt');
    assert.equal(await sniffDocumentType(iconv.encode('<html><body>中文網頁內容</body></html>', 'big5')), 'html');
  });

  test('a head cut in the middle of a UTF-8 character is still text', async () => {
    const full = bytes('中文'.repeat(40000));
    assert.equal(await sniffDocumentType(full.subarray(0, 64 * 1024 - 1)), 'txt');
  });
});

describe('sniffDocumentType: scans and photos for OCR', () => {
  test('PNG, JPEG and TIFF (both byte orders) are typed from their bytes', async () => {
    assert.equal(await sniffDocumentType(PNG), 'png');
    assert.equal(await sniffDocumentType(JPEG), 'jpeg');
    assert.equal(await sniffDocumentType(TIFF_LE), 'tiff');
    assert.equal(await sniffDocumentType(TIFF_BE), 'tiff');
  });

  test('a name never turns an image into text, nor text into an image', async () => {
    assert.equal(await sniffDocumentType(PNG, 'photo.txt'), 'png');
    assert.equal(await sniffDocumentType(bytes('scan of the invoice'), 'scan.png'), 'txt');
  });

  test('other image formats stay unsupported', async () => {
    await rejectsWith(GIF, 'E_UNSUPPORTED_TYPE');
    await rejectsWith(BMP, 'E_UNSUPPORTED_TYPE');
    await rejectsWith(WEBP, 'E_UNSUPPORTED_TYPE');
  });
});

describe('sniffDocumentType: hostile and unsupported files', () => {
  test('empty, whitespace-only and BOM-only files are empty documents', async () => {
    await rejectsWith(new Uint8Array(0), 'E_EMPTY_DOCUMENT');
    await rejectsWith(bytes(' \n\t\r\n  '), 'E_EMPTY_DOCUMENT');
    await rejectsWith(Buffer.from([0xef, 0xbb, 0xbf]), 'E_EMPTY_DOCUMENT');
    await rejectsWith(Buffer.from([0xff, 0xfe]), 'E_EMPTY_DOCUMENT');
    await rejectsWith(Buffer.from([0xff, 0xfe, 0x20, 0x00, 0x0a, 0x00]), 'E_EMPTY_DOCUMENT');
    await rejectsWith(bytes('\u3000\u200b\n'), 'E_EMPTY_DOCUMENT');
  });

  test('executables and random bytes are unsupported', async () => {
    await rejectsWith(ELF, 'E_UNSUPPORTED_TYPE');
    await rejectsWith(Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff', 'latin1'), 'E_UNSUPPORTED_TYPE');
    for (let seed = 0; seed < 20; seed++) await rejectsWith(randomBytes(4096), 'E_UNSUPPORTED_TYPE');
    await rejectsWith(Buffer.alloc(1000), 'E_UNSUPPORTED_TYPE');
  });

  test('zips that are not Word documents are unsupported', async () => {
    await rejectsWith(buildZip([{ name: 'notes.txt', data: bytes('hello') }]), 'E_UNSUPPORTED_TYPE');
    const xlsx = buildZip([
      {
        name: '[Content_Types].xml',
        data: bytes(
          '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        ),
      },
      { name: 'xl/workbook.xml', data: bytes('<workbook/>') },
    ]);
    await rejectsWith(xlsx, 'E_UNSUPPORTED_TYPE');
  });

  test('text formats we cannot turn into prose are unsupported', async () => {
    await rejectsWith(bytes('{\\rtf1\\ansi Hello}'), 'E_UNSUPPORTED_TYPE');
    await rejectsWith(bytes('<?xml version="1.0"?><invoice><total>3</total></invoice>'), 'E_UNSUPPORTED_TYPE');
    await rejectsWith(bytes('<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>'), 'E_UNSUPPORTED_TYPE');
  });

  test('text that happens to start like a binary signature is text', async () => {
    assert.equal(await sniffDocumentType(bytes('BM stands for business manager.')), 'txt');
    assert.equal(await sniffDocumentType(bytes('solid foundations make solid houses')), 'txt');
  });
});

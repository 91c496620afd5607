import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { extractText } from '../../../lib/documents/extract/index.ts';
import { pageTextFromRuns, type PositionedRun } from '../../../lib/documents/extract/pdf-lines.ts';
import { buildPdf } from '../../fixtures/documents/pdf-writer.ts';
import { deflatedZeros } from '../../fixtures/documents/zip-writer.ts';
import { FIXTURES, removeTempFiles, tempFile } from '../../fixtures/documents/temp-files.ts';
import { rejection } from '../../helpers/rejection.ts';

after(removeTempFiles);

describe('PDF extraction', () => {
  test('multi-page text, joined by blank lines, with lines and title', async () => {
    const pdf = buildPdf(
      [
        { lines: ['Employee Onboarding', 'Every new hire receives a laptop.', 'Accounts are created on day one.'] },
        { lines: ['Page two (continued)'] },
        { lines: ['Page three: retention is 7 years.'] },
      ],
      { title: 'Onboarding Guide' },
    );
    const result = await extractText(tempFile(pdf), 'pdf');
    assert.equal(
      result.text,
      'Employee Onboarding\nEvery new hire receives a laptop.\nAccounts are created on day one.\n\nPage two (continued)\n\nPage three: retention is 7 years.',
    );
    assert.equal(result.pages, 3);
    assert.equal(result.title, 'Onboarding Guide');
  });

  test('Chinese PDF with a standard CID font (STSong-Light, needs the bundled CMaps)', async () => {
    const result = await extractText(path.join(FIXTURES, 'chinese-cid.pdf'), 'pdf');
    assert.equal(result.pages, 2);
    assert.equal(result.title, '差旅报销管理办法');
    assert.match(result.text, /^差旅报销管理办法\n第一条 为规范公司员工出差期间的费用报销，特制定本办法。/);
    assert.match(result.text, /Mixed line: ERP 系统 version 2\.1 supports 报销 workflow\./);
    assert.match(result.text, /\n\n第三条 住宿标准\n/);
  });

  test('a password-protected PDF is rejected as encrypted', async () => {
    const pdf = buildPdf([{ lines: ['Top secret salary table'] }], { encrypt: { userPassword: 'open-sesame', ownerPassword: 'owner' } });
    await assert.rejects(extractText(tempFile(pdf), 'pdf'), rejection('E_ENCRYPTED_PDF'));
  });

  test('a PDF encrypted with an empty user password (permissions only) opens', async () => {
    const pdf = buildPdf([{ lines: ['Readable but not printable'] }], { encrypt: { userPassword: '', ownerPassword: 'owner' } });
    assert.equal((await extractText(tempFile(pdf), 'pdf')).text, 'Readable but not printable');
  });

  test('a PDF with only a drawing (what a scan without OCR looks like) has no text', async () => {
    await assert.rejects(extractText(tempFile(buildPdf([{ rectangle: true }, { rectangle: true }])), 'pdf'), rejection('E_NO_TEXT'));
    // Page numbers alone are not text worth indexing either.
    await assert.rejects(extractText(tempFile(buildPdf([{ lines: ['1'] }, { lines: ['2'] }])), 'pdf'), rejection('E_NO_TEXT'));
  });

  test('truncated and garbage PDFs are corrupt; a lost trailer is recovered', async () => {
    const pdf = buildPdf([{ lines: ['Hello world page one.'] }, { lines: ['Page two text.'] }]);
    await assert.rejects(extractText(tempFile(pdf.subarray(0, 200)), 'pdf'), rejection('E_CORRUPT_DOCUMENT'));
    await assert.rejects(extractText(tempFile(Buffer.from(`%PDF-1.7\n${'garbage '.repeat(100)}`)), 'pdf'), rejection('E_CORRUPT_DOCUMENT'));
    const mangled = Buffer.from(pdf);
    for (let i = 200; i < mangled.length; i += 7) mangled[i] = 0x42;
    await assert.rejects(extractText(tempFile(mangled), 'pdf'), rejection('E_CORRUPT_DOCUMENT'));
    // pdfjs rebuilds a missing xref/trailer by scanning objects, so a cut-off tail still reads.
    assert.equal((await extractText(tempFile(pdf.subarray(0, pdf.length - 100)), 'pdf')).text, 'Hello world page one.\n\nPage two text.');
  });

  test('page and text limits reject the document', async () => {
    const pdf = buildPdf([{ lines: ['one'] }, { lines: ['two'] }, { lines: ['three'] }]);
    await assert.rejects(extractText(tempFile(pdf), 'pdf', { maxPdfPages: 2 }), rejection('E_DOCUMENT_TOO_LARGE'));
    await assert.rejects(extractText(tempFile(pdf), 'pdf', { maxExtractedChars: 5 }), rejection('E_DOCUMENT_TOO_LARGE'));
  });
});

describe('PDF resource budget (sandbox process)', () => {
  test('a flate bomb is stopped by the memory budget, and this process survives', async () => {
    // 768 MiB of zeros as one page's content stream: under 1 MB on disk, gigabytes in pdfjs.
    const bomb = buildPdf([{ flateContent: (await deflatedZeros(768 * 1024 * 1024, 'zlib')).bytes }]);
    assert.ok(bomb.length < 2 * 1024 * 1024);
    const before = process.memoryUsage().rss;
    await assert.rejects(extractText(tempFile(bomb), 'pdf', { maxPdfMemoryBytes: 400 * 1024 * 1024 }), rejection('E_DOCUMENT_TOO_LARGE'));
    assert.ok(process.memoryUsage().rss - before < 100 * 1024 * 1024, 'the bytes were inflated elsewhere');
  });

  test('a PDF that takes too long is stopped', async () => {
    const pdf = buildPdf([{ lines: ['quick'] }]);
    await assert.rejects(extractText(tempFile(pdf), 'pdf', { pdfTimeoutMs: 1 }), rejection('E_DOCUMENT_TOO_LARGE'));
  });
});

describe('PDF line reconstruction from positioned runs', () => {
  const run = (str: string, x: number, y: number, width: number, hasEOL = false, height = 10): PositionedRun => ({
    str,
    transform: [height, 0, 0, height, x, y],
    width,
    height,
    hasEOL,
  });

  test('a baseline change starts a line; a large jump starts a paragraph', () => {
    const text = pageTextFromRuns([run('First line', 0, 700, 50), run('second line', 0, 688, 55), run('New paragraph', 0, 640, 60)]);
    assert.equal(text, 'First line\nsecond line\n\nNew paragraph');
  });

  test('runs on one line get a space only where there is a gap, and never between CJK characters', () => {
    assert.equal(pageTextFromRuns([run('Hello', 0, 700, 25), run('world', 30, 700, 25)]), 'Hello world');
    assert.equal(pageTextFromRuns([run('Hel', 0, 700, 15), run('lo', 15, 700, 10)]), 'Hello');
    assert.equal(pageTextFromRuns([run('中文', 0, 700, 20), run('文本', 22, 700, 20)]), '中文文本');
  });

  test('hasEOL ends a line even without a baseline change; empty runs are harmless', () => {
    assert.equal(pageTextFromRuns([run('a', 0, 700, 5, true), run('', 0, 700, 0, true), run('b', 0, 700, 5)]), 'a\nb');
    assert.equal(pageTextFromRuns([]), '');
  });
});

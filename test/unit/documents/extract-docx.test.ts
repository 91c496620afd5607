import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { chunkText } from '../../../lib/documents/chunk.ts';
import { extractText } from '../../../lib/documents/extract/index.ts';
import { FIXTURES, removeTempFiles, tempFile } from '../../fixtures/documents/temp-files.ts';
import { buildDocx, buildZip, deflatedZeros } from '../../fixtures/documents/zip-writer.ts';
import { rejection } from '../../helpers/rejection.ts';

after(removeTempFiles);

describe('docx extraction', () => {
  test('headings survive as # lines, tables as rows; the core title wins', async () => {
    const result = await extractText(path.join(FIXTURES, 'chinese-headings.docx'), 'docx');
    assert.equal(result.title, '员工手册');
    assert.match(result.text, /^# 员工手册\n\n欢迎加入公司。/);
    assert.match(result.text, /^## 考勤制度$/m);
    assert.match(result.text, /^迟到超过三十分钟需补交说明 & 由主管确认。$/m);
    assert.match(result.text, /^项目 \| 上限\n餐费 \| 每天一百元$/m);
    assert.match(result.text, /^# English Section\n\nData is retained for seven years\. See e\.g\. policy 3\.14 for details\.$/m);
    const chunks = chunkText(result.text, { maxTokens: 40, format: 'docx' });
    assert.deepEqual(chunks.find((c) => c.text.includes('发票'))?.headingPath, ['员工手册', '报销流程']);
  });

  test('a minimal docx without styles or core properties', async () => {
    const result = await extractText(tempFile(buildDocx(['Hello docx world.', 'Tom &amp; Jerry.'])), 'docx');
    assert.deepEqual(result, { text: 'Hello docx world.\n\nTom & Jerry.' });
  });

  test('a zip without word/document.xml is not a Word document', async () => {
    const zip = buildZip([{ name: 'word/other.xml', data: Buffer.from('<x/>') }]);
    await assert.rejects(extractText(tempFile(zip), 'docx'), rejection('E_UNSUPPORTED_TYPE'));
  });

  test('truncated zips and malformed XML are corrupt', async () => {
    const docx = buildDocx(['Some text here.']);
    await assert.rejects(extractText(tempFile(docx.subarray(0, docx.length - 30)), 'docx'), rejection('E_CORRUPT_DOCUMENT'));
    await assert.rejects(extractText(tempFile(docx.subarray(0, 100)), 'docx'), rejection('E_CORRUPT_DOCUMENT'));
    const broken = buildZip([
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'word/document.xml', data: Buffer.from('<w:document><w:body><w:p>unclosed') },
    ]);
    await assert.rejects(extractText(tempFile(broken), 'docx'), rejection('E_CORRUPT_DOCUMENT'));
  });

  test('a document with no paragraphs has no text', async () => {
    await assert.rejects(extractText(tempFile(buildDocx([])), 'docx'), rejection('E_NO_TEXT'));
  });
});

describe('docx decompression bombs', () => {
  let zeros300MB: Awaited<ReturnType<typeof deflatedZeros>>;
  before(async () => {
    zeros300MB = await deflatedZeros(300 * 1024 * 1024);
  });

  test('a real bomb (300 MB of zeros in a small file) is refused before inflating', async () => {
    const bomb = buildDocx(['x'], [{ name: 'word/media/image1.png', deflated: zeros300MB }]);
    const file = tempFile(bomb);
    assert.ok(statSync(file).size < 1024 * 1024, 'the bomb must stay small on disk');
    const started = performance.now();
    await assert.rejects(extractText(file, 'docx'), rejection('E_DECOMPRESSION_BOMB'));
    assert.ok(performance.now() - started < 2000, 'refused from the central directory, without inflating');
  });

  test('a compression ratio over the limit is refused even under the size limit', async () => {
    const zeros = await deflatedZeros(20 * 1024 * 1024);
    const docx = buildDocx(['x'], [{ name: 'word/media/blob.bin', deflated: zeros }]);
    await assert.rejects(extractText(tempFile(docx), 'docx'), rejection('E_DECOMPRESSION_BOMB'));
    // The same file passes with a generous ratio: the limit is what refused it.
    const result = await extractText(tempFile(docx), 'docx', { maxCompressionRatio: 10_000 });
    assert.equal(result.text, 'x');
  });

  test('headers that lie about the size are caught while inflating', async () => {
    const liar = buildDocx(['x'], [{ name: 'word/media/image1.png', deflated: zeros300MB, claimedSize: 1000 }]);
    const before = process.memoryUsage().rss;
    await assert.rejects(extractText(tempFile(liar), 'docx'), rejection('E_DECOMPRESSION_BOMB'));
    assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024, 'inflated bytes are counted, not kept');
  });

  test('a lying main part is caught before mammoth sees it', async () => {
    const liar = buildDocx([], [{ name: 'word/document.xml', deflated: zeros300MB, claimedSize: 5000 }]);
    await assert.rejects(extractText(tempFile(liar), 'docx'), rejection('E_DECOMPRESSION_BOMB'));
  });

  test('too many entries and too many total bytes are refused', async () => {
    const many = buildDocx(['x'], Array.from({ length: 50 }, (_, i) => ({ name: `word/media/${i}.txt`, data: Buffer.from('hi') })));
    await assert.rejects(extractText(tempFile(many), 'docx', { maxZipEntries: 20 }), rejection('E_DECOMPRESSION_BOMB'));
    const big = buildDocx(['x'], [{ name: 'word/media/a.bin', data: Buffer.alloc(4096, 7), store: true }]);
    await assert.rejects(extractText(tempFile(big), 'docx', { maxDocxUncompressedBytes: 4000 }), rejection('E_DECOMPRESSION_BOMB'));
  });
});

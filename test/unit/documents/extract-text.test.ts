import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { detectEncoding } from '../../../lib/documents/encoding.ts';
import { extractText } from '../../../lib/documents/extract/index.ts';
import { DocumentRejectedError } from '../../../lib/errors.ts';
import { removeTempFiles, tempFile } from '../../fixtures/documents/temp-files.ts';

after(removeTempFiles);

const ZH = '差旅费用报销规定\n\n员工因公出差，应当事先提交出差申请。报销时须附发票原件，超过标准的部分由个人承担。财务部门每月十五日统一审核并支付。';
const ZH_TW = '差旅費用報銷規定\n\n員工因公出差，應當事先提交出差申請。報銷時須附發票原件，超過標準的部分由個人承擔。';
const JA = '出張規程\n\n会社の従業員が出張する場合は、事前に申請書を提出してください。領収書の原本を添付すること。';
const FR = 'Politique de conservation : les données sont conservées sept ans. Ça coûte 5 € — “déjà vu” à l’été.';

async function roundTrip(text: string, encoding: string, options: { addBOM?: boolean } = {}): Promise<string> {
  const file = tempFile(iconv.encode(text, encoding, options));
  return (await extractText(file, 'txt')).text;
}

describe('plain text encodings', () => {
  test('UTF-8 with and without BOM', async () => {
    assert.equal(await roundTrip(ZH, 'utf-8'), ZH);
    assert.equal(await roundTrip(ZH, 'utf-8', { addBOM: true }), ZH);
  });

  test('GB18030 and GBK Chinese', async () => {
    assert.equal(await roundTrip(ZH, 'gb18030'), ZH);
    assert.equal(await roundTrip(ZH, 'gbk'), ZH);
    // Characters outside GBK need GB18030's four-byte sequences.
    const rare = `${ZH}𠀀€`;
    assert.equal(await roundTrip(rare, 'gb18030'), rare);
  });

  test('a short GBK title, too short for statistics, is still Chinese', async () => {
    assert.equal(await roundTrip('差旅报销管理办法', 'gbk'), '差旅报销管理办法');
  });

  test('Big5 traditional Chinese and Shift_JIS Japanese', async () => {
    assert.equal(await roundTrip(ZH_TW, 'big5'), ZH_TW);
    assert.equal(await roundTrip(JA, 'shift_jis'), JA);
  });

  test('windows-1252 Western text', async () => {
    assert.equal(await roundTrip(FR, 'windows-1252'), FR);
  });

  test('UTF-16LE and UTF-16BE with a BOM', async () => {
    assert.equal(await roundTrip(ZH, 'utf-16le', { addBOM: true }), ZH);
    assert.equal(await roundTrip(ZH, 'utf-16be', { addBOM: true }), ZH);
  });

  test('UTF-16 without a BOM, with ASCII (zero-byte pattern) and pure CJK', async () => {
    const mixed = `${ZH}\nVersion 2 of the policy.`;
    assert.equal(await roundTrip(mixed, 'utf-16le'), mixed);
    assert.equal(await roundTrip(mixed, 'utf-16be'), mixed);
    const pure = ZH.replace(/\n/g, '');
    assert.equal(await roundTrip(pure, 'utf-16le'), pure);
    assert.equal(await roundTrip(pure, 'utf-16be'), pure);
    assert.equal(await roundTrip('Hello world, English only.', 'utf-16le'), 'Hello world, English only.');
  });

  test('detectEncoding reports its evidence', () => {
    assert.equal(detectEncoding(iconv.encode('abc', 'utf-8', { addBOM: true })).evidence, 'bom');
    assert.equal(detectEncoding(Buffer.from('plain ascii')).evidence, 'valid-utf8');
    assert.equal(detectEncoding(iconv.encode('Hello there', 'utf-16le')).encoding, 'utf-16le');
    assert.deepEqual(detectEncoding(iconv.encode(ZH, 'gbk')).encoding, 'gb18030');
    // A declared charset wins over statistics, but not over a BOM or valid UTF-8 claimed as UTF-8.
    assert.equal(detectEncoding(iconv.encode(FR, 'windows-1252'), { declared: 'iso-8859-1' }).encoding, 'windows-1252');
    assert.equal(detectEncoding(iconv.encode(ZH, 'gbk'), { declared: 'utf-8' }).encoding, 'gb18030');
  });
});

describe('plain text and Markdown extraction', () => {
  test('Markdown keeps heading markers, lists and fences; the first heading is the title', async () => {
    const md = '# Onboarding\n\nWelcome.\n\n## Accounts\n\n- laptop\n- badge\n\n```sh\n# not a heading\n```\n';
    const result = await extractText(tempFile(md), 'md');
    assert.equal(result.text, md.trim());
    assert.equal(result.title, 'Onboarding');
  });

  test('text is normalized: CRLF, control characters, full-width digits', async () => {
    const result = await extractText(tempFile('Line\u0007 one\r\nＡＢＣ１２３，好。\r\n\r\n\r\n\r\nEnd'), 'txt');
    assert.equal(result.text, 'Line one\nABC123，好。\n\nEnd');
  });

  test('text with nothing but invisible characters has no text', async () => {
    await assert.rejects(extractText(tempFile('\u200b\u0001\u0002\n'), 'txt'), { code: 'E_NO_TEXT' });
  });

  test('limits reject instead of truncating', async () => {
    const file = tempFile('word '.repeat(1000));
    await assert.rejects(extractText(file, 'txt', { maxExtractedChars: 100 }), { code: 'E_DOCUMENT_TOO_LARGE' });
    await assert.rejects(extractText(file, 'txt', { maxFileBytes: 1000 }), (error: unknown) => {
      assert.ok(error instanceof DocumentRejectedError);
      assert.equal(error.code, 'E_DOCUMENT_TOO_LARGE');
      return true;
    });
    await assert.rejects(extractText(file, 'txt', { maxPdfPages: -1 }), RangeError);
  });

  test('a missing file is an ordinary (retryable) file system error, not a rejection', async () => {
    await assert.rejects(extractText('/nonexistent/aistack/file.txt', 'txt'), { code: 'ENOENT' });
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeText } from '../../../lib/documents/normalize.ts';

describe('normalizeText', () => {
  test('unifies line ends and keeps at most one blank line between paragraphs', () => {
    assert.equal(normalizeText('a\r\nb\rc\u2028d\fe'), 'a\nb\nc\nd\ne');
    assert.equal(normalizeText('one\n\n\n\n\ntwo\n \n\t\n \nthree'), 'one\n\ntwo\n\nthree');
  });

  test('removes control and invisible characters but keeps tabs and newlines', () => {
    assert.equal(normalizeText('a\u0000b\u0007c\u001bd\u007fe\u0085f'), 'abcde\nf');
    assert.equal(normalizeText('zero\u200bwidth\ufeff soft\u00adhyphen'), 'zerowidth softhyphen');
    assert.equal(normalizeText('col1\tcol2'), 'col1\tcol2');
    // Joiners shape emoji and Indic scripts: kept.
    assert.equal(normalizeText('👩\u200d💻'), '👩\u200d💻');
  });

  test('collapses runs of spaces inside lines, keeps indentation, drops trailing spaces', () => {
    assert.equal(normalizeText('a    b\u00a0\u00a0c\u3000\u3000d   '), 'a b c d');
    assert.equal(normalizeText('- item\n    - nested   item  \n'), '- item\n    - nested item');
  });

  test('NFC, full-width letters and digits to ASCII, ligatures split; CJK punctuation kept', () => {
    assert.equal(normalizeText('e\u0301'), 'é');
    assert.equal(normalizeText('ＥＲＰ系统２０２４版'), 'ERP系统2024版');
    assert.equal(normalizeText('ﬁnance ofﬂine'), 'finance offline');
    assert.equal(normalizeText('你好，世界！真的？是的：（注）；'), '你好，世界！真的？是的：（注）；');
    assert.equal(normalizeText('①　㎡'), '① ㎡');
  });

  test('drops unpaired surrogates, keeps pairs', () => {
    assert.equal(normalizeText('a\ud800b\udc00c😀'), 'abc😀');
  });

  test('trims, is idempotent and deterministic', () => {
    const messy = '  \n\u3000标题\r\n\r\n\r\n正文　　内容\u200b。 \t\n\n\nＡ１ end  \n';
    const once = normalizeText(messy);
    assert.equal(once, '标题\n\n正文 内容。\n\nA1 end');
    assert.equal(normalizeText(once), once);
    assert.equal(normalizeText(messy), once);
    assert.equal(normalizeText(''), '');
    assert.equal(normalizeText(' \n\t '), '');
  });

  test('handles large input quickly', () => {
    const big = '段落　内容，  with   spaces\r\n\r\n\r\n'.repeat(200_000);
    const started = performance.now();
    const out = normalizeText(big);
    assert.ok(performance.now() - started < 3000);
    assert.ok(out.startsWith('段落 内容， with spaces\n\n段落'));
  });
});

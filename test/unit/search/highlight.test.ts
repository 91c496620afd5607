import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clauseWords, escapeHtml, highlight } from '../../../lib/search/query/highlight.ts';
import type { Clause } from '../../../lib/search/port.ts';

/** What a reader sees: tags removed, entities decoded, the cut marks removed. */
function visible(fragment: string): string {
  return fragment
    .replace(/<\/?em>/g, '')
    .replace(/^…|…$/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Every `&`, `<`, `>`, quote outside the tags is an entity: nothing the page could run. */
function assertSafe(fragment: string): void {
  const outside = fragment.replace(/<\/?em>/g, '');
  assert.doesNotMatch(outside, /[<>"']/, `unescaped markup in ${fragment}`);
  assert.doesNotMatch(outside, /&(?!amp;|lt;|gt;|quot;|#39;)/, `bare & in ${fragment}`);
  assert.equal((fragment.match(/<em>/g) ?? []).length, (fragment.match(/<\/em>/g) ?? []).length);
}

/** No lone surrogate (String#isWellFormed is newer than the TypeScript lib this project targets). */
function wellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

const POLICY =
  '第三章 差旅报销。员工出差产生的交通、住宿费用，可在出差结束后 30 天内提交报销单。' +
  '报销单需附发票原件，由部门经理审批后交财务部。超过标准的部分不予报销。';

describe('highlight', () => {
  test('finds Chinese words inside text without spaces', () => {
    const [fragment, ...rest] = highlight(POLICY, ['报销']);
    assert.equal(rest.length, 0);
    assert.match(fragment!, /差旅<em>报销<\/em>。/);
    assert.equal((fragment!.match(/<em>报销<\/em>/g) ?? []).length, 4);
    assert.equal(visible(fragment!), POLICY.slice(0, visible(fragment!).length));
  });

  test('the longest word wins where words overlap', () => {
    const [fragment] = highlight(POLICY, ['报销', '报销单', '销单']);
    assert.match(fragment!, /提交<em>报销单<\/em>。<em>报销单<\/em>需附/);
    assert.doesNotMatch(fragment!, /<em>销单<\/em>/);
  });

  test('English is matched case-insensitively, whole words only', () => {
    const [fragment] = highlight('Reimbursement: the REIMBURSEMENT of art, not the start.', ['reimbursement', 'art']);
    assert.equal(fragment, '<em>Reimbursement</em>: the <em>REIMBURSEMENT</em> of <em>art</em>, not the start.');
  });

  test('full-width letters match their narrow form', () => {
    const [fragment] = highlight('请见ＩＴ部门的通知', ['it']);
    assert.equal(fragment, '请见<em>ＩＴ</em>部门的通知');
  });

  test('everything outside <em> is escaped, including a matched word holding markup', () => {
    const text = `Tom & Jerry's <script>alert("x")</script> 报销 & more`;
    const [fragment] = highlight(text, ['报销', 'script']);
    assertSafe(fragment!);
    assert.equal(
      fragment,
      'Tom &amp; Jerry&#39;s &lt;<em>script</em>&gt;alert(&quot;x&quot;)&lt;/<em>script</em>&gt; <em>报销</em> &amp; more',
    );
    assert.equal(visible(fragment!), text);
    assert.equal(escapeHtml(`<a href="x">&'`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
  });

  test('long text gives fragments of about the asked size around matches, cut ends marked', () => {
    const filler = '这是一段与主题无关的说明文字，用来把正文撑长。';
    const text = filler.repeat(10) + '年度预算由财务部编制。' + filler.repeat(10) + '预算调整需要审批。' + filler.repeat(10);
    const fragments = highlight(text, ['预算'], { fragmentChars: 60 });
    assert.equal(fragments.length, 2);
    for (const f of fragments) {
      assert.match(f, /^….*…$/);
      assert.match(f, /<em>预算<\/em>/);
      assert.ok(visible(f).length <= 60, `${visible(f).length} chars: ${f}`);
      assert.ok(text.includes(visible(f)), 'a fragment is a slice of the text');
    }
    assert.deepEqual(highlight(text, ['预算'], { fragments: 1, fragmentChars: 60 }).length, 1);
  });

  test('the fragment with the most distinct words comes first', () => {
    const filler = 'lorem ipsum dolor sit amet consectetur. '.repeat(6);
    const text = `travel ${filler} travel reimbursement policy ${filler}`;
    const fragments = highlight(text, ['travel', 'reimbursement', 'policy'], { fragmentChars: 80 });
    assert.equal(fragments.length, 2);
    assert.match(fragments[0]!, /<em>travel<\/em> <em>reimbursement<\/em> <em>policy<\/em>/);
  });

  test('English fragments start and end at spaces, not inside words', () => {
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`);
    words[30] = 'budget';
    const text = words.join(' ');
    const [fragment] = highlight(text, ['budget'], { fragmentChars: 50 });
    const shown = visible(fragment!);
    assert.ok(words.includes(shown.split(' ')[0]!), `starts at a word: ${shown}`);
    assert.ok(words.includes(shown.split(' ').at(-1)!), `ends at a word: ${shown}`);
  });

  test('never breaks a surrogate pair, and repairs lone surrogates', () => {
    const text = '😀'.repeat(40) + '报销' + '𠮷'.repeat(40);
    for (const size of [20, 21, 22, 23, 24, 25]) {
      const [fragment] = highlight(text, ['报销'], { fragmentChars: size });
      assert.ok(wellFormed(fragment!), `well-formed at size ${size}: ${fragment}`);
      assert.match(fragment!, /<em>报销<\/em>/);
    }
    const [broken] = highlight('a\ud800b 报销', ['报销']);
    assert.ok(wellFormed(broken!));
    assert.match(broken!, /<em>报销<\/em>/);
  });

  test('newlines and runs of spaces read as one space', () => {
    assert.deepEqual(highlight('报销\n\n  流程', ['流程']), ['报销 <em>流程</em>']);
  });

  test('no match: nothing, or the start of the text when asked', () => {
    assert.deepEqual(highlight(POLICY, ['预算']), []);
    assert.deepEqual(highlight(POLICY, []), []);
    const [start] = highlight('<b>' + POLICY, ['预算'], { noMatchChars: 20 });
    assert.equal(start, '&lt;b&gt;第三章 差旅报销。员工出差产生的交…');
  });
});

describe('clauseWords', () => {
  test('positive words, phrases and alternatives; not negated words or keyword values', () => {
    const clause: Clause = {
      kind: 'and',
      children: [
        { kind: 'words', words: [{ word: '报消', alternatives: [{ word: '报销', weight: 0.8 }] }, { word: '差旅', alternatives: [] }] },
        { kind: 'or', children: [{ kind: 'phrase', words: ['年度', '预算'] }, { kind: 'keyword', field: 'status', value: 'paid' }] },
        { kind: 'not', child: { kind: 'words', words: [{ word: '酒店', alternatives: [] }] } },
      ],
    };
    assert.deepEqual(clauseWords(clause).sort(), ['年度', '年度预算', '差旅', '报消', '报销', '预算'].sort());
    assert.deepEqual(clauseWords(null), []);
  });

  test('a Chinese phrase of single characters is highlighted whole, never character by character', () => {
    const words = clauseWords({ kind: 'phrase', words: ['年', '假'] });
    assert.deepEqual(words, ['年假']);
    assert.deepEqual(highlight('2025年的年假可结转', words), ['2025年的<em>年假</em>可结转']);
    assert.deepEqual(clauseWords({ kind: 'phrase', words: ['expense', 'report'] }), ['expense', 'report']);
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chunkText, estimateTokens, type Chunk, type ChunkOptions } from '../../../lib/documents/chunk.ts';
import { splitSentences } from '../../../lib/documents/chunking/sentences.ts';
import { normalizeText } from '../../../lib/documents/normalize.ts';

const SAMPLES = path.resolve(import.meta.dirname, '../../../samples');
const ZH_SAMPLE = readFileSync(path.join(SAMPLES, 'expense-policy.zh.md'), 'utf8');
const EN_SAMPLE = readFileSync(path.join(SAMPLES, 'onboarding-data-retention.en.md'), 'utf8');

const SENTENCE_END = /[。！？；….!?”’"')\]」』）]$/;

/** Every invariant the chunker promises, checked on one result. */
function assertChunkInvariants(text: string, chunks: Chunk[], options: ChunkOptions, checkOverlapBudget = true): void {
  const count = options.countTokens ?? estimateTokens;
  if (text.trim() === '') {
    assert.deepEqual(chunks, []);
    return;
  }
  assert.ok(chunks.length > 0);
  let coveredTo = 0;
  chunks.forEach((chunk, i) => {
    assert.equal(chunk.index, i);
    assert.equal(chunk.text, text.slice(chunk.start, chunk.end), `chunk ${i} is its slice`);
    assert.ok(chunk.text.trim() !== '', `chunk ${i} is not empty`);
    assert.equal(chunk.text, chunk.text.trim(), `chunk ${i} has no surrounding whitespace`);
    assert.equal(chunk.tokenCount, count(chunk.text));
    assert.ok(chunk.tokenCount <= options.maxTokens, `chunk ${i} has ${chunk.tokenCount} > ${options.maxTokens} tokens`);
    assert.ok(text.slice(coveredTo, chunk.start).trim() === '', `text before chunk ${i} is covered`);
    if (i > 0) {
      const previous = chunks[i - 1]!;
      assert.ok(chunk.start > previous.start && chunk.end > previous.end, 'chunks advance');
      if (chunk.start < previous.end) {
        const overlap = text.slice(chunk.start, previous.end);
        if (checkOverlapBudget) assert.ok(count(overlap) <= (options.overlapTokens ?? 0), `overlap of chunk ${i} fits`);
        const before = text.slice(0, chunk.start).trimEnd();
        assert.ok(SENTENCE_END.test(before) || /\n\s*$/.test(text.slice(0, chunk.start)), `overlap of chunk ${i} starts at a sentence`);
      }
    }
    coveredTo = Math.max(coveredTo, chunk.end);
  });
  assert.equal(text.slice(coveredTo).trim(), '', 'the end of the text is covered');
}

function chunkAndCheck(text: string, options: ChunkOptions, checkOverlapBudget = true): Chunk[] {
  const chunks = chunkText(text, options);
  assertChunkInvariants(text, chunks, options, checkOverlapBudget);
  return chunks;
}

const ENGLISH =
  'Dr. Smith joined Acme Inc. in 2019. He paid $3.14 for coffee, e.g. on Mondays. ' +
  'Records are kept for seven years! Are they deleted afterwards? Yes, by the U.S. office. ' +
  'The quick brown fox jumps over the lazy dog near the river bank today.';
const CHINESE =
  '公司员工因公出差，应当事先提交出差申请。报销时须附发票原件；超过标准的部分由个人承担！' +
  '财务部门每月十五日统一审核并支付。“差旅标准”由人事部制定。是否可以预支？可以……但需审批。';
const MIXED = '员工在 ERP 系统中提交报销单 (expense report)。Approval takes 2.5 days on average. 审批完成后，款项打到工资卡。';

describe('chunkText invariants', () => {
  for (const [name, text] of [['English', ENGLISH], ['Chinese', CHINESE], ['mixed', MIXED]] as const) {
    for (const maxTokens of [8, 20, 60, 500]) {
      for (const overlapTokens of [0, 4]) {
        test(`${name}, maxTokens ${maxTokens}, overlap ${overlapTokens}`, () => {
          chunkAndCheck(`${text}\n\n${text}\n\n${text}`, { maxTokens, overlapTokens });
        });
      }
    }
  }

  test('the sample documents, as Markdown', () => {
    for (const sample of [ZH_SAMPLE, EN_SAMPLE]) {
      const text = normalizeText(sample);
      const chunks = chunkAndCheck(text, { maxTokens: 120, overlapTokens: 20, format: 'md' });
      assert.ok(chunks.length >= 4);
      assert.ok(chunks.every((c) => c.headingPath.length > 0));
    }
  });

  test('holds for a non-additive counter that charges for whitespace and special tokens', () => {
    // Like a real tokenizer: [CLS]/[SEP] on every call, and separators between units cost tokens too.
    const counter = (s: string) => 2 + (s.match(/\S+/g)?.length ?? 0) + (s.match(/\s/g)?.length ?? 0) + (s.match(/[\u4e00-\u9fff]/g)?.length ?? 0);
    for (const text of [EN_SAMPLE, ZH_SAMPLE, `${ENGLISH}\n\n${CHINESE}\n\n${MIXED}`]) {
      for (const maxTokens of [12, 40, 100]) {
        chunkAndCheck(text, { maxTokens, overlapTokens: 5, countTokens: counter }, false);
      }
    }
  });

  test('is deterministic', () => {
    const options = { maxTokens: 50, overlapTokens: 10 };
    const a = chunkText(EN_SAMPLE + ZH_SAMPLE, options);
    const b = chunkText(EN_SAMPLE + ZH_SAMPLE, options);
    assert.equal(JSON.stringify(a), JSON.stringify(b));
  });

  test('empty and blank text give no chunks', () => {
    assert.deepEqual(chunkText('', { maxTokens: 10 }), []);
    assert.deepEqual(chunkText(' \n\n\t ', { maxTokens: 10 }), []);
  });

  test('refuses options it cannot honour, naming them', () => {
    assert.throws(() => chunkText('x', { maxTokens: 0 }), /maxTokens/);
    assert.throws(() => chunkText('x', { maxTokens: 10.5 }), /maxTokens/);
    assert.throws(() => chunkText('x', { maxTokens: 10, overlapTokens: 6 }), /overlapTokens/);
    assert.throws(() => chunkText('x', { maxTokens: 10, overlapTokens: -1 }), /overlapTokens/);
  });
});

describe('chunkText structure', () => {
  test('headings split sections and give each chunk its heading path', () => {
    const text = '# Policy\n\nIntro text.\n\n## Travel\n\nBook early. Use economy.\n\n### Hotels\n\nMax 500 a night.\n\n## Meals\n\nKeep receipts.';
    const chunks = chunkAndCheck(text, { maxTokens: 100 });
    assert.deepEqual(
      chunks.map((c) => [c.text, c.headingPath]),
      [
        ['# Policy\n\nIntro text.', ['Policy']],
        ['## Travel\n\nBook early. Use economy.', ['Policy', 'Travel']],
        ['### Hotels\n\nMax 500 a night.', ['Policy', 'Travel', 'Hotels']],
        ['## Meals\n\nKeep receipts.', ['Policy', 'Meals']],
      ],
    );
  });

  test('a heading with no body of its own stays with the next section', () => {
    const chunks = chunkAndCheck('# 第一章 总则\n## 第一条\n本办法适用于全体员工。', { maxTokens: 100 });
    assert.equal(chunks.length, 1);
    assert.deepEqual(chunks[0]!.headingPath, ['第一章 总则', '第一条']);
  });

  test('a document of only headings', () => {
    const text = Array.from({ length: 300 }, (_, i) => `${'#'.repeat((i % 3) + 1)} Heading number ${i}`).join('\n');
    const chunks = chunkAndCheck(text, { maxTokens: 30, overlapTokens: 5 });
    assert.ok(chunks.length > 10);
    assert.ok(chunks.every((c) => c.headingPath.length > 0));
  });

  test('# lines in code fences, and in plain text, are not headings', () => {
    const md = '# Setup\n\n```sh\n# install\nnpm ci\n```\n\nDone.';
    assert.ok(chunkText(md, { maxTokens: 100 }).every((c) => c.headingPath.join() === 'Setup'));
    const txt = '# not a heading\n\nbody';
    assert.deepEqual(chunkText(txt, { maxTokens: 100, format: 'txt' }).map((c) => c.headingPath), [[]]);
  });

  test('overlap repeats whole trailing sentences within a section only', () => {
    const text = '# A\n\nOne one one. Two two two. Three three three. Four four four. Five five five.\n\n# B\n\nSix six six.';
    const chunks = chunkAndCheck(text, { maxTokens: 10, overlapTokens: 4 });
    const second = chunks[1]!;
    assert.ok(chunks[0]!.text.endsWith(second.text.split(/(?<=\.) /)[0]!), 'chunk 2 starts with the last sentence of chunk 1');
    const sectionB = chunks.find((c) => c.headingPath[0] === 'B')!;
    assert.equal(sectionB.text, '# B\n\nSix six six.');
  });

  test('a chunk prefers to end at a paragraph', () => {
    const para = (n: number) => `Paragraph ${n} has a first sentence. It has a second sentence too.`;
    const text = [para(1), para(2), para(3), para(4)].join('\n\n');
    const chunks = chunkAndCheck(text, { maxTokens: 40 });
    for (const chunk of chunks.slice(0, -1)) assert.ok(chunk.text.endsWith('too.'), chunk.text);
  });

  test('list items are sentences of their own in Markdown', () => {
    const text = '- first item\n- second item\n- third item\n- fourth item';
    const chunks = chunkAndCheck(text, { maxTokens: 7 });
    assert.ok(chunks.every((c) => /^- \w+ item/.test(c.text)));
  });
});

describe('sentence splitting', () => {
  const sentences = (s: string) => splitSentences(s, 0, s.length, false).map((span) => s.slice(span.start, span.end));

  test('English with abbreviations, initials, decimals and lowercase continuations', () => {
    assert.deepEqual(sentences('Dr. Smith paid 3.14 dollars. J. K. Rowling wrote it. See e.g. the list. Done!'), [
      'Dr. Smith paid 3.14 dollars.',
      'J. K. Rowling wrote it.',
      'See e.g. the list.',
      'Done!',
    ]);
    assert.deepEqual(sentences('Wait... what? "Quoted." Next.'), ['Wait... what?', '"Quoted."', 'Next.']);
  });

  test('Chinese ends sentences without spaces, keeping closing quotes', () => {
    assert.deepEqual(sentences('他说：“好的。”然后离开了！真的吗？是的；没错……结束'), ['他说：“好的。”', '然后离开了！', '真的吗？', '是的；', '没错……', '结束']);
  });

  test('long runs of punctuation do not backtrack', () => {
    const dots = `${'.'.repeat(200_000)}x ${'!'.repeat(200_000)}`;
    const started = performance.now();
    sentences(dots);
    assert.ok(performance.now() - started < 1000);
  });
});

describe('chunkText on oversized input', () => {
  test('1 MB single line without punctuation, Chinese and Latin', () => {
    const chinese = '中文没有标点的长文本'.repeat(100_000);
    const latin = 'a'.repeat(1_000_000);
    const words = 'lorem ipsum dolor sit amet '.repeat(40_000);
    for (const text of [chinese, latin, words]) {
      const started = performance.now();
      const chunks = chunkAndCheck(text, { maxTokens: 512, overlapTokens: 64 });
      assert.ok(performance.now() - started < 5000, 'linear-time hard split');
      assert.ok(chunks.length > 100);
    }
  });

  test('English is cut between words, not inside them', () => {
    const chunks = chunkAndCheck('alpha beta gamma delta epsilon '.repeat(200), { maxTokens: 16 });
    for (const chunk of chunks) assert.match(chunk.text, /^(alpha|beta|gamma|delta|epsilon)( \w+)*$/);
  });

  test('astral characters are never split in half', () => {
    const chunks = chunkAndCheck('😀'.repeat(5000), { maxTokens: 9 });
    for (const chunk of chunks) assert.ok(!/[\ud800-\udbff]$|^[\udc00-\udfff]/.test(chunk.text));
  });

  test('10 MB of mixed text chunks in a few seconds', () => {
    const text = normalizeText(`${EN_SAMPLE}\n\n${ZH_SAMPLE}\n\n`).repeat(Math.ceil(10_000_000 / (EN_SAMPLE.length + ZH_SAMPLE.length)));
    const started = performance.now();
    const chunks = chunkText(text, { maxTokens: 512, overlapTokens: 64 });
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 8000, `took ${Math.round(elapsed)} ms`);
    assert.ok(chunks.every((c) => c.tokenCount <= 512));
  });
});

describe('estimateTokens', () => {
  test('CJK characters about one each, words about 1.3, digits per three', () => {
    assert.equal(estimateTokens(''), 0);
    assert.equal(estimateTokens('  \n'), 0);
    assert.equal(estimateTokens('中文文本'), 4);
    assert.equal(estimateTokens('the cat sat'), 3);
    assert.equal(estimateTokens('information'), 4);
    assert.equal(estimateTokens('123456'), 2);
    assert.equal(estimateTokens('Hello, world!'), 5);
    const english = 'Employees must keep receipts for every business expense they claim.';
    assert.ok(estimateTokens(english) >= 11 && estimateTokens(english) <= 18);
  });

  test('is subadditive, so summing sentence estimates never undercounts', () => {
    const text = `${ENGLISH} ${CHINESE} ${MIXED}`;
    for (let cut = 1; cut < text.length; cut += 7) {
      assert.ok(estimateTokens(text) <= estimateTokens(text.slice(0, cut)) + estimateTokens(text.slice(cut)));
    }
  });
});

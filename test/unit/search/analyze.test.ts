import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDatabase, type Database } from '../../../lib/db/index.ts';
import { analyzeQuery } from '../../../lib/search/query/analyze.ts';
import { parseQuery } from '../../../lib/search/query/parse.ts';
import { clauseWords } from '../../../lib/search/query/highlight.ts';
import { segmentForIndex } from '../../../lib/search/segment.ts';
import { createVocabulary, type Vocabulary } from '../../../lib/search/vocabulary.ts';
import type { IndexName } from '../../../lib/search/indexes.ts';
import type { Clause } from '../../../lib/search/port.ts';

// The vocabulary is the real one on an in-memory PGlite: no server, but the same SQL (pg_trgm included).
describe('analyzeQuery', () => {
  let db: Database;
  let vocabulary: Vocabulary;
  const analyze = (q: string, index: IndexName = 'documents'): Promise<Clause | null> => analyzeQuery(parseQuery(q, index), index, vocabulary);

  before(async () => {
    db = await createDatabase({ PGLITE_DIR: 'memory://', DATABASE_POOL_MAX: 1 });
    vocabulary = createVocabulary(db);
    await vocabulary.record('documents', [
      '差旅报销制度：出差结束后 30 天内提交报销单。',
      '报销流程：发票报销需要部门经理审批，差旅费按标准执行。',
      '费用报销常见问题。',
      'Travel reimbursement policy.',
      'Expense reimbursement is paid monthly.',
      'Reimbursement FAQ.',
      ...Array.from({ length: 3 }, () => '年假天数按工龄计算。'),
    ]);
    await vocabulary.record('orders', ['华东精密机械 螺丝刀套装']);
  });
  after(async () => db.close());

  test('text is segmented exactly as the index is', async () => {
    const text = '中华人民共和国差旅报销 Policy';
    const clause = await analyze(text);
    assert.ok(clause?.kind === 'words');
    assert.deepEqual(
      clause.words.map((w) => w.word),
      [...new Set(segmentForIndex(text).split(' '))],
    );
    assert.equal(clause.field, undefined);
    assert.ok(clause.words.every((w) => w.alternatives.length === 0), 'known words get no alternatives');
  });

  test('an English typo gets the word as an alternative weighted below 1', async () => {
    assert.deepEqual(await analyze('reimbursment'), {
      kind: 'words',
      words: [{ word: 'reimbursment', alternatives: [{ word: 'reimbursement', weight: 0.8 }] }],
    });
  });

  test('a wrong Chinese character reaches the word; the single characters it explains are dropped', async () => {
    const clause = await analyze('差旅报消');
    assert.deepEqual(clause, {
      kind: 'words',
      words: [
        { word: '差旅', alternatives: [] },
        { word: '报消', alternatives: [{ word: '报销', weight: 0.8 }] },
      ],
    });
    const fee = await analyze('差旅废');
    assert.ok(fee?.kind === 'words');
    assert.ok(!fee.words.some((w) => w.word === '废'), JSON.stringify(fee));
    assert.ok(fee.words.some((w) => w.alternatives.some((a) => a.word === '差旅费')));
    assert.ok(fee.words.some((w) => w.word === '差旅' && w.alternatives.length === 0), 'the exact word stays, at weight 1');
  });

  test('single characters jieba split a word into are searched as that phrase, and reached by a wrong character', async () => {
    // jieba does not know 年假: it cuts it into 年 假, in the index as in the query.
    assert.deepEqual(segmentForIndex('年假'), '年 假');
    assert.deepEqual(await analyze('年假'), { kind: 'phrase', words: ['年', '假'] });
    assert.deepEqual(await analyze('年假 AND 天数'), {
      kind: 'and',
      children: [
        { kind: 'phrase', words: ['年', '假'] },
        { kind: 'words', words: [{ word: '天数', alternatives: [] }] },
      ],
    });
    // 年价 sounds like 年假, which the vocabulary holds as neighbouring characters.
    assert.deepEqual(await analyze('年价'), {
      kind: 'or',
      children: [
        { kind: 'words', words: [{ word: '年价', alternatives: [] }] },
        { kind: 'phrase', words: ['年', '假'] },
      ],
    });
    assert.equal(await vocabulary.didYouMean('documents', '年价'), '年假');
    // Longer runs of single characters are function words, searched one by one.
    const long = await analyze('的钱能报');
    assert.ok(long?.kind === 'words', JSON.stringify(long));
  });

  test('words joined by OR become one words clause; AND and NOT keep their shape', async () => {
    assert.deepEqual(await analyze('差旅 OR 报销 OR 差旅'), {
      kind: 'words',
      words: [
        { word: '差旅', alternatives: [] },
        { word: '报销', alternatives: [] },
      ],
    });
    assert.deepEqual(await analyze('差旅 AND 报销 -发票'), {
      kind: 'and',
      children: [
        { kind: 'words', words: [{ word: '差旅', alternatives: [] }] },
        { kind: 'words', words: [{ word: '报销', alternatives: [] }] },
        { kind: 'not', child: { kind: 'words', words: [{ word: '发票', alternatives: [] }] } },
      ],
    });
  });

  test('a phrase is taken as typed: segmented words in order, no alternatives', async () => {
    assert.deepEqual(await analyze('"差旅报消 流程"'), { kind: 'phrase', words: ['差旅', '报消', '流程'] });
    assert.deepEqual(await analyze('title:"reimbursment"'), {
      kind: 'words',
      field: 'title',
      words: [{ word: 'reimbursment', alternatives: [] }],
    });
  });

  test('a text field keeps its field; keyword, number and date fields become exact values', async () => {
    assert.deepEqual(await analyze('title:报销'), { kind: 'words', field: 'title', words: [{ word: '报销', alternatives: [] }] });
    assert.deepEqual(await analyze('status:paid region:"华东"', 'orders'), {
      kind: 'or',
      children: [
        { kind: 'keyword', field: 'status', value: 'paid' },
        { kind: 'keyword', field: 'region', value: '华东' },
      ],
    });
    assert.deepEqual(await analyze('tags:财务', 'documents'), { kind: 'keyword', field: 'tags', value: '财务' });
    assert.deepEqual(await analyze('sku:SKU-001 AND quantity:3', 'orders'), {
      kind: 'and',
      children: [
        { kind: 'keyword', field: 'sku', value: 'SKU-001' },
        { kind: 'keyword', field: 'quantity', value: '3' },
      ],
    });
  });

  test('nothing searchable is null; unsearchable parts of a larger query are dropped', async () => {
    assert.equal(await analyze('???'), null);
    assert.equal(await analyze('-!!!'), null);
    assert.equal(await analyzeQuery(null, 'documents', vocabulary), null);
    assert.deepEqual(await analyze('报销 AND ？？'), { kind: 'words', words: [{ word: '报销', alternatives: [] }] });
  });

  test('SQL and DSL fragments come out as plain words', async () => {
    const clause = await analyze(`'; drop table documents; -- {"match_all":{}}`);
    assert.deepEqual(clauseWords(clause).sort(), ['all', 'documents', 'drop', 'match', 'table']);
  });
});

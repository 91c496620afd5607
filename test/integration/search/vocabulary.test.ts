import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { engines, openTestDatabase } from '../../helpers/platform.ts';
import type { Database } from '../../../lib/db/index.ts';
import { createVocabulary, type Vocabulary } from '../../../lib/search/vocabulary.ts';

/** A small knowledge base: each text is one record. */
const DOCUMENTS = [
  '差旅报销制度：员工出差产生的交通、住宿费用，可在出差结束后 30 天内提交报销单。',
  '报销流程：发票报销需要部门经理审批，差旅费按职级标准执行。',
  '费用报销常见问题：报销单填写、发票抬头、报销时限。',
  'Travel reimbursement policy: submit the reimbursement form with receipts within 30 days.',
  'Expense reimbursement is paid monthly; reimbursement of alcohol is not allowed.',
  'Reimbursement FAQ for contractors and the travel policy.',
  'Employee onboarding checklist and data retention policy.',
  '年假天数按工龄计算。',
];

for (const engine of engines) {
  describe(`vocabulary on ${engine}`, () => {
    let db: Database;
    let close: () => Promise<void>;
    let vocabulary: Vocabulary;

    before(async () => {
      ({ db, close } = await openTestDatabase(engine));
      vocabulary = createVocabulary(db);
      await vocabulary.record('documents', DOCUMENTS);
      await vocabulary.record('customers', ['华东精密机械有限公司', 'Acme Trading Ltd']);
    });
    after(async () => close());

    const terms = async (index: string) =>
      new Map(
        (
          await db.query<{ term: string; pinyin: string | null; records: number }>(
            'select term, pinyin, records from search_terms where index_name = $1',
            [index],
          )
        ).rows.map((r) => [r.term, r]),
      );

    test('record counts the records holding each word, with toneless pinyin for Chinese words', async () => {
      const words = await terms('documents');
      assert.equal(words.get('报销')?.records, 3, 'three records, however often each says it');
      assert.equal(words.get('报销')?.pinyin, 'bao xiao');
      assert.equal(words.get('差旅')?.pinyin, 'cha lv');
      assert.equal(words.get('reimbursement')?.records, 3);
      assert.equal(words.get('reimbursement')?.pinyin, null);
      assert.ok(!words.has('30'), 'numbers are not words');
      assert.ok(!words.has('：'), 'punctuation is not a word');
      assert.ok(!words.has('the') || words.get('the')!.records >= 1);
      assert.ok(![...words.keys()].some((w) => [...w].length < 2), 'single characters are left out');
      // Single characters jieba cut an unknown word into are kept as runs, space-joined, with their sound.
      assert.equal(words.get('年 假')?.records, 1);
      assert.equal(words.get('年 假')?.pinyin, 'nian jia');
      // Each index has its own words.
      assert.ok(!words.has('精密'));
      assert.ok((await terms('customers')).has('精密'));
    });

    test('recording again adds to the counts; concurrent records do not lose any', async () => {
      await Promise.all(Array.from({ length: 4 }, () => vocabulary.record('orders', ['Widget 螺丝刀 set', 'widget 扳手'])));
      const words = await terms('orders');
      assert.equal(words.get('widget')?.records, 8);
      assert.equal(words.get('螺丝刀')?.records, 4);
      await vocabulary.reset('orders');
      assert.equal((await terms('orders')).size, 0);
      assert.ok((await terms('documents')).size > 0, 'reset touches one index only');
    });

    test('an English typo reaches the word, weighted below an exact match', async () => {
      const alternatives = await vocabulary.alternatives('documents', 'reimbursment');
      assert.equal(alternatives[0]?.word, 'reimbursement');
      assert.ok(alternatives.every((a) => a.weight > 0 && a.weight < 1));
      assert.ok(alternatives.length <= 3);
      assert.equal((await vocabulary.alternatives('documents', 'polcy'))[0]?.word, 'policy');
      assert.equal((await vocabulary.alternatives('documents', 'recipts'))[0]?.word, 'receipts');
    });

    test('a common word, a short word, a code or an unrelated word gets no alternatives', async () => {
      assert.deepEqual(await vocabulary.alternatives('documents', 'reimbursement'), []);
      assert.deepEqual(await vocabulary.alternatives('documents', 'pol'), []);
      assert.deepEqual(await vocabulary.alternatives('documents', 'sku1234'), []);
      assert.deepEqual(await vocabulary.alternatives('documents', 'xylophone'), []);
    });

    test('a wrong Chinese character of the same sound reaches the word', async () => {
      assert.deepEqual(await vocabulary.alternatives('documents', '报消'), [{ word: '报销', weight: 0.8 }]);
      const corrections = await vocabulary.corrections('documents', '差旅报消');
      assert.equal(corrections.length, 1);
      assert.deepEqual(corrections[0], {
        start: 2,
        end: 4,
        original: '报消',
        records: 0,
        alternatives: [{ word: '报销', weight: 0.8, records: 3 }],
      });
      // The wrong character next to a known word: 差旅废 sounds like 差旅费.
      const fee = await vocabulary.corrections('documents', '差旅废');
      assert.ok(fee.some((c) => c.alternatives.some((a) => a.word === '差旅费')), JSON.stringify(fee));
      // Mixed with English, at the right offsets.
      const mixed = await vocabulary.corrections('documents', 'Travel 报消 reimbursment');
      assert.deepEqual(
        mixed.map((c) => [c.start, c.end, c.original, c.alternatives[0]!.word]),
        [
          [7, 9, '报消', '报销'],
          [10, 22, 'reimbursment', 'reimbursement'],
        ],
      );
    });

    test('a typo that a few records also hold is still corrected toward the common word', async () => {
      await vocabulary.record('orders', [...Array.from({ length: 5 }, () => '报销 单据 reimbursement'), '报消 reimbursment']);
      assert.deepEqual(await vocabulary.alternatives('orders', '报消'), [{ word: '报销', weight: 0.8 }]);
      assert.deepEqual(await vocabulary.alternatives('orders', 'reimbursment'), [{ word: 'reimbursement', weight: 0.8 }]);
      // The common word itself is never "corrected" toward the rarer one.
      assert.deepEqual(await vocabulary.alternatives('orders', '报销'), []);
      assert.deepEqual(await vocabulary.alternatives('orders', 'reimbursement'), []);
      await vocabulary.reset('orders');
    });

    test('a window cutting through a word of the query is no typo', async () => {
      await vocabulary.record('orders', ['差旅', ...Array.from({ length: 5 }, () => '报销')]);
      // A word that sounds like 旅报, the middle of 差旅报销.
      await db.query("insert into search_terms (index_name, term, pinyin, records) values ('orders', '率报', 'lv bao', 9)");
      assert.deepEqual(await vocabulary.corrections('orders', '差旅报销'), []);
      assert.deepEqual(
        (await vocabulary.corrections('orders', '差旅报消')).map((c) => [c.original, c.alternatives.map((a) => a.word)]),
        [['报消', ['报销']]],
      );
      await vocabulary.reset('orders');
    });

    test('a rare real word is not "corrected" toward a word only a little commoner', async () => {
      // retention: 1 record; reception: 3, fewer than 4 times as many.
      await vocabulary.record('orders', ['data retention', 'reception desk', 'reception hours', 'reception staff']);
      assert.deepEqual(await vocabulary.alternatives('orders', 'retention'), []);
      assert.deepEqual(await vocabulary.alternatives('orders', 'retenton'), [{ word: 'retention', weight: 0.8 }]);
      await vocabulary.reset('orders');
    });

    test('a wrong character toward a word jieba keeps as single characters (年价 → 年 假)', async () => {
      assert.deepEqual(
        (await vocabulary.corrections('documents', '年价')).map((c) => [c.original, c.alternatives.map((a) => a.word)]),
        [['年价', ['年 假']]],
      );
      assert.deepEqual(await vocabulary.corrections('documents', '年假'), [], 'the run itself is no typo');
      assert.equal(await vocabulary.didYouMean('documents', '年价 天数'), '年假 天数');
    });

    test('correct Chinese, and Chinese the vocabulary has no sound for, get no alternatives', async () => {
      assert.deepEqual(await vocabulary.corrections('documents', '差旅报销'), []);
      assert.deepEqual(await vocabulary.corrections('documents', '报销单'), []);
      assert.deepEqual(await vocabulary.corrections('documents', '天气预报'), []);
      assert.deepEqual(await vocabulary.corrections('customers', '报消'), [], 'only the index’s own words');
    });

    test('words recorded later are found at once (the memo is dropped on record)', async () => {
      assert.deepEqual(await vocabulary.alternatives('documents', 'quarantine'), []);
      assert.deepEqual(await vocabulary.alternatives('documents', 'quarentine'), []);
      await vocabulary.record('documents', Array.from({ length: 3 }, () => 'Quarantine rules for travel.'));
      assert.equal((await vocabulary.alternatives('documents', 'quarentine'))[0]?.word, 'quarantine');
    });

    test('suggest completes prefixes, most common first, also from pinyin', async () => {
      const chinese = await vocabulary.suggest('documents', '报', 5);
      assert.equal(chinese[0], '报销');
      assert.ok(chinese.every((w) => w.startsWith('报')));
      assert.deepEqual(await vocabulary.suggest('documents', 'REIM', 5), ['reimbursement']);
      assert.ok((await vocabulary.suggest('documents', 'baox', 5)).includes('报销'));
      assert.deepEqual(await vocabulary.suggest('documents', '%', 5), [], 'LIKE wildcards are literal');
      assert.deepEqual(await vocabulary.suggest('documents', '_e', 5), []);
      assert.deepEqual(await vocabulary.suggest('documents', '', 5), []);
      assert.ok(!(await vocabulary.suggest('documents', '年', 5)).includes('年 假'), 'runs of characters are not words to suggest');
      assert.equal((await vocabulary.suggest('documents', 're', 1)).length, 1);
    });

    test('did you mean rewrites what was typed, only where it helps', async () => {
      assert.equal(await vocabulary.didYouMean('documents', 'travel reimbursment'), 'travel reimbursement');
      assert.equal(await vocabulary.didYouMean('documents', '差旅报消'), '差旅报销');
      assert.equal(await vocabulary.didYouMean('documents', 'title:"差旅报消" AND polcy'), 'title:"差旅报销" AND policy');
      assert.equal(await vocabulary.didYouMean('documents', '差旅报销'), null);
      assert.equal(await vocabulary.didYouMean('documents', 'reimbursement policy'), null);
      // Negated words are not "corrected", and a query that does not parse gets no guess.
      assert.equal(await vocabulary.didYouMean('documents', 'policy -reimbursment'), null);
      assert.equal(await vocabulary.didYouMean('documents', '(reimbursment'), null);
      // Several fixes in one query, each where it was typed; the rest kept as typed.
      assert.equal(await vocabulary.didYouMean('documents', '电子 发漂 OR 报消 (Travel)'), '电子 发票 OR 报销 (Travel)');
    });
  });
}

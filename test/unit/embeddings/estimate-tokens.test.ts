import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createOpenAiEmbedder, estimateTokens } from '../../../lib/embeddings/adapters/openai.ts';
import { loadWordPieceTokenizer } from '../../../lib/embeddings/wordpiece.ts';
import { tokenizerFile } from './model-dir.ts';

const reference = JSON.parse(
  readFileSync(new URL('../../fixtures/embeddings/tokenizer-reference.json', import.meta.url), 'utf8'),
) as { cases: { text: string }[] };

describe('OpenAI adapter token estimate', () => {
  it('stays close to bge-small-zh’s real count on business text, and rarely under it', () => {
    const bge = loadWordPieceTokenizer(tokenizerFile(), { lowercase: true });
    const longOnes = reference.cases.map((c) => c.text).filter((t) => t.length > 300 && /\p{Script=Han}|Employees/u.test(t));
    const realistic = [
      ...longOnes,
      '员工出差的住宿费用怎么报销',
      'Hello, World! How are you doing today?',
      '我们使用Temporal和PostgreSQL来处理AI任务，QPS达到1200次/秒。',
      '请把PDF文件上传到OneDrive，然后通知HR部门',
      '2024年第3季度营收增长了15.6%，净利润为2.3亿元',
      'Quarterly revenue grew 15.6% year over year; net profit reached 230 million yuan.',
      'https://example.com/path?q=1&x=2 user@example.org',
    ];
    assert.ok(longOnes.length >= 3);
    for (const text of realistic) {
      const ratio = estimateTokens(text) / bge.countTokens(text);
      assert.ok(ratio >= 0.9 && ratio <= 1.5, `estimate/real = ${ratio.toFixed(2)} for ${JSON.stringify(text.slice(0, 40))}`);
    }
  });

  it('counts nothing for blank text and one per CJK character', () => {
    assert.equal(estimateTokens(' \n\t'), 0);
    assert.equal(estimateTokens('报销流程'), 4);
    assert.equal(estimateTokens('reimbursement'), 5);
  });
});

describe('OpenAI adapter options', () => {
  const base = { baseUrl: 'http://127.0.0.1:9', model: 'm', dimension: 8 };

  it('refuses bad numbers, naming the option', () => {
    assert.throws(() => createOpenAiEmbedder({ ...base, batchSize: 0 }), { code: 'E_INVALID_OPTION', message: /batchSize/ });
    assert.throws(() => createOpenAiEmbedder({ ...base, dimension: 1.5 }), { code: 'E_INVALID_OPTION', message: /dimension/ });
    assert.throws(() => createOpenAiEmbedder({ ...base, maxRetries: -1 }), { code: 'E_INVALID_OPTION', message: /maxRetries/ });
  });

  it('refuses a base URL that is not a URL', () => {
    assert.throws(() => createOpenAiEmbedder({ ...base, baseUrl: 'not a url' }), { code: 'E_INVALID_OPTION', message: /baseUrl/ });
  });
});

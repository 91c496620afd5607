import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractText } from '../../../lib/documents/extract/index.ts';
import { MAX_FRONT_MATTER_CHARS, splitFrontMatter } from '../../../lib/documents/front-matter.ts';
import { METADATA_LIMITS } from '../../../lib/documents/metadata.ts';
import { removeTempFiles, tempFile } from '../../fixtures/documents/temp-files.ts';

after(removeTempFiles);

const yamlDoc = `---
id: policy-2024-07
title: "差旅费用报销标准"
tags: [财务, travel, "bad tag!"]
lang: zh-CN
effective: 2024-07-01
owner:
  dept: 财务部
  reviewers: [张三, Li Si]
---

# 一、交通

乘坐火车可报销二等座。
`;

const tomlDoc = `+++
title = "Data Retention Policy"
tags = "retention, privacy"
language = "en"
updated = 2024-03-05T10:00:00Z
published = 1979-05-27
[review]
cycle = "yearly"
+++
# Retention

Records are kept seven years.
`;

describe('front matter', () => {
  test('YAML: title, tags, lang and the other keys as metadata; the body starts after the block', () => {
    const { body, frontMatter } = splitFrontMatter(yamlDoc);
    assert.equal(body, '# 一、交通\n\n乘坐火车可报销二等座。\n');
    assert.deepEqual(frontMatter, {
      title: '差旅费用报销标准',
      tags: ['财务', 'travel'], // "bad tag!" is not a tag a list filter could match
      lang: 'zh-CN',
      metadata: { id: 'policy-2024-07', effective: '2024-07-01', owner: { dept: '财务部', reviewers: ['张三', 'Li Si'] } },
    });
  });

  test('TOML: a comma-separated tag string, `language`, dates as ISO strings, tables as objects', () => {
    const { body, frontMatter } = splitFrontMatter(tomlDoc);
    assert.equal(body, '# Retention\n\nRecords are kept seven years.\n');
    assert.deepEqual(frontMatter, {
      title: 'Data Retention Policy',
      tags: ['retention', 'privacy'],
      lang: 'en',
      metadata: { updated: '2024-03-05T10:00:00.000Z', published: '1979-05-27', review: { cycle: 'yearly' } },
    });
    assert.doesNotThrow(() => JSON.stringify(frontMatter));
  });

  test('CRLF line ends, a BOM and the YAML end marker `...` are front matter too', () => {
    const { body, frontMatter } = splitFrontMatter('\uFEFF---\r\ntitle: Hello\r\n...\r\nBody\r\n');
    assert.equal(body, 'Body\r\n');
    assert.equal(frontMatter?.title, 'Hello');
  });

  test('malformed or not a mapping: the text stays whole and nothing is read from it', () => {
    for (const text of [
      '---\ntitle: [unclosed\n---\nBody', // YAML syntax error
      '---\nJust a paragraph between two rules.\n---\nBody', // a scalar, not a mapping
      '---\n- a\n- b\n---\nBody', // a list
      '+++\ntitle = \n+++\nBody', // TOML syntax error
      '---\ntitle: a\ntitle: b\n---\nBody', // duplicate keys
      '---\ntitle: never closed\n\nBody', // no closing fence
      'Intro\n---\ntitle: not at the start\n---\n',
    ]) {
      const result = splitFrontMatter(text);
      assert.equal(result.body, text, text);
      assert.equal(result.frontMatter, undefined, text);
    }
  });

  test('hostile blocks are bounded: alias bombs, deep nesting, huge blocks, oversized metadata', () => {
    const bomb = ['---', 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    bomb.push('---', 'Body');
    const started = Date.now();
    assert.equal(splitFrontMatter(bomb.join('\n')).frontMatter, undefined);
    assert.ok(Date.now() - started < 2000, 'an alias bomb is refused, not expanded');

    const deepYaml = `---\ntitle: Deep\nx: ${'['.repeat(5000)}${']'.repeat(5000)}\n---\nBody`;
    const deep = splitFrontMatter(deepYaml);
    assert.ok(deep.frontMatter === undefined || deep.frontMatter.metadata === undefined, 'nesting past the limit is never metadata');
    const deepToml = splitFrontMatter(`+++\nx = ${'['.repeat(50)}${']'.repeat(50)}\n+++\nBody`);
    assert.equal(deepToml.frontMatter, undefined);

    const huge = `---\ntitle: Big\nnote: "${'x'.repeat(MAX_FRONT_MATTER_CHARS)}"\n---\nBody`;
    assert.equal(splitFrontMatter(huge).body, huge, 'a block past the size limit is text');

    const manyKeys = ['---', 'title: Kept', ...Array.from({ length: METADATA_LIMITS.maxKeys + 5 }, (_, i) => `k${i}: ${i}`), '---', 'Body'];
    const many = splitFrontMatter(manyKeys.join('\n'));
    assert.equal(many.body, 'Body');
    assert.deepEqual(many.frontMatter, { title: 'Kept' }, 'metadata over the limits is left out; the title still applies');

    const proto = splitFrontMatter('---\n__proto__: {polluted: true}\nconstructor: x\n---\nBody');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(proto.frontMatter?.metadata ?? {}), Object.prototype);
  });

  test('an empty block is front matter with nothing in it', () => {
    assert.deepEqual(splitFrontMatter('---\n---\nBody'), { body: 'Body', frontMatter: {} });
  });
});

describe('front matter through the extractors', () => {
  test('Markdown: the front matter title wins over the first heading, and the block is not text', async () => {
    const result = await extractText(tempFile(yamlDoc), 'md');
    assert.equal(result.title, '差旅费用报销标准');
    assert.ok(!result.text.includes('policy-2024-07'), result.text);
    assert.ok(result.text.startsWith('# 一、交通'));
    assert.deepEqual(result.frontMatter?.tags, ['财务', 'travel']);
  });

  test('Markdown without front matter keeps its first heading as title', async () => {
    const result = await extractText(tempFile('# Onboarding\n\nWelcome.'), 'md');
    assert.equal(result.title, 'Onboarding');
    assert.equal(result.frontMatter, undefined);
  });

  test('plain text that starts with front matter loses the block too; without a title it has none', async () => {
    const withTitle = await extractText(tempFile(tomlDoc), 'txt');
    assert.equal(withTitle.title, 'Data Retention Policy');
    assert.ok(!withTitle.text.includes('+++'));
    const untitled = await extractText(tempFile('---\nowner: ops\n---\nJust text.'), 'txt');
    assert.deepEqual([untitled.text, untitled.title, untitled.frontMatter], ['Just text.', undefined, { metadata: { owner: 'ops' } }]);
  });

  test('a document that is only front matter has no text', async () => {
    await assert.rejects(extractText(tempFile('---\ntitle: Empty\n---\n'), 'md'), { code: 'E_NO_TEXT' });
  });
});

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { extractText } from '../../../lib/documents/extract/index.ts';
import { chunkText } from '../../../lib/documents/chunk.ts';
import { removeTempFiles, tempFile } from '../../fixtures/documents/temp-files.ts';

after(removeTempFiles);

const PAGE = `<!DOCTYPE html>
<html>
<head>
  <meta charset="utf-8">
  <title>Data Retention &amp; Privacy</title>
  <style>body { color: red; } .secret { display: none }</style>
  <script>var tracking = "SHOULD NOT APPEAR";</script>
</head>
<body>
  <noscript>Enable JavaScript NOSCRIPT</noscript>
  <template><p>TEMPLATE CONTENT</p></template>
  <svg><text>SVG TEXT</text></svg>
  <h1>Retention policy</h1>
  <p>Records are kept for <b>seven</b> years &mdash; then deleted.</p>
  <p>Tom&nbsp;&amp;&nbsp;Jerry said &lt;hello&gt; &#20013;&#x6587; &copy; 2024.</p>
  <h2>Exceptions</h2>
  <ul><li>Legal hold</li><li>Audits</li></ul>
  <table><tr><th>Type</th><th>Years</th></tr><tr><td><p>Invoices</p></td><td>10</td></tr></table>
  <p>See <a href="https://example.invalid/policy">the policy page</a>.</p>
  <script>document.write("ALSO NOT")</script>
</body>
</html>`;

describe('HTML extraction', () => {
  test('drops scripts, styles and other non-content; decodes entities', async () => {
    const { text, title } = await extractText(tempFile(PAGE), 'html');
    for (const hidden of ['SHOULD NOT APPEAR', 'color: red', 'NOSCRIPT', 'TEMPLATE CONTENT', 'SVG TEXT', 'ALSO NOT', 'example.invalid']) {
      assert.ok(!text.includes(hidden), `"${hidden}" leaked into: ${text}`);
    }
    assert.equal(title, 'Data Retention & Privacy');
    assert.match(text, /Records are kept for seven years — then deleted\./);
    assert.match(text, /Tom & Jerry said <hello> 中文 © 2024\./);
  });

  test('headings become # lines, blocks are separated by blank lines, table rows stay on one line', async () => {
    const { text } = await extractText(tempFile(PAGE), 'html');
    assert.match(text, /^# Retention policy$/m);
    assert.match(text, /^## Exceptions$/m);
    assert.match(text, /^- Legal hold$/m);
    assert.match(text, /^Type \| Years$/m);
    assert.match(text, /^Invoices \| 10$/m);
    assert.match(text, /deleted\.\n\nTom/);
    const chunks = chunkText(text, { maxTokens: 30, format: 'html' });
    assert.ok(chunks.some((c) => c.headingPath.join('/') === 'Retention policy/Exceptions'));
  });

  test('title falls back to the first h1', async () => {
    const { title } = await extractText(tempFile('<html><body><h1>Only &quot;Heading&quot;</h1><p>x</p></body></html>'), 'html');
    assert.equal(title, 'Only "Heading"');
  });

  test('respects <meta charset> for legacy encodings', async () => {
    const html = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>报销</title></head><body><p>差旅报销须附发票。</p></body></html>';
    const { text, title } = await extractText(tempFile(iconv.encode(html, 'gbk')), 'html');
    assert.equal(title, '报销');
    assert.equal(text, '差旅报销须附发票。');
  });

  test('a page mislabelled as UTF-8 is decoded by detection', async () => {
    const html = '<html><head><meta charset="utf-8"></head><body><p>公司员工因公出差，应当事先提交出差申请。</p></body></html>';
    const { text } = await extractText(tempFile(iconv.encode(html, 'gb18030')), 'html');
    assert.equal(text, '公司员工因公出差，应当事先提交出差申请。');
  });

  test('deep nesting and unclosed tags do not crash', async () => {
    const deep = `<html><body>${'<div>'.repeat(20000)}deep text${'</div>'.repeat(20000)}<p>after</p><p>unclosed <b>bold`;
    const { text } = await extractText(tempFile(deep), 'html');
    assert.match(text, /after/);
    assert.match(text, /unclosed bold/);
  });

  test('a page with only scripts has no text', async () => {
    await assert.rejects(extractText(tempFile('<html><head><script>x()</script></head><body> </body></html>'), 'html'), { code: 'E_NO_TEXT' });
  });
});

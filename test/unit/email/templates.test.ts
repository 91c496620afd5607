import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkTemplateSources, EmailInputError, pickLocale, renderTemplate, TEMPLATE_LIMITS } from '../../../lib/email/templates.ts';

const welcome = {
  'zh-CN': { subject: '欢迎，{{name}}', text: '{{name}}，您好！订单 {{order.id}} 已发货。', html: '<p>{{name}}，您好！</p><p>{{#items}}<li>{{title}}</li>{{/items}}</p>' },
  en: { subject: 'Welcome, {{name}}', text: 'Hello {{name}}, order {{order.id}} has shipped.', html: '<p>Hello {{name}}</p>' },
};

const inputError = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    assert.ok(error instanceof EmailInputError, String(error));
    return error;
  }
  assert.fail('expected an EmailInputError');
};

test('html escapes variables, text and subject print them as given', () => {
  const data = { name: '<b>Tom & "Jerry"</b>', order: { id: 'A-1' }, items: [{ title: '<script>x</script>' }, { title: '书' }] };
  const zh = renderTemplate(welcome['zh-CN'], data);
  assert.equal(zh.subject, '欢迎，<b>Tom & "Jerry"</b>');
  assert.equal(zh.text, '<b>Tom & "Jerry"</b>，您好！订单 A-1 已发货。');
  assert.equal(zh.html, '<p>&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;&#x2F;b&gt;，您好！</p><p><li>&lt;script&gt;x&lt;&#x2F;script&gt;</li><li>书</li></p>');
  // Numbers and nested objects print without throwing (an object as JSON).
  assert.equal(renderTemplate({ subject: '{{n}} {{o}}', text: 'x' }, { n: 3, o: { a: 1 } }).subject, '3 {"a":1}');
});

test('a top-level variable missing from data is named; null prints nothing; names in sections may be absent', () => {
  const error = inputError(() => renderTemplate(welcome.en, { name: 'Li' }));
  assert.deepEqual(error.errors.map((e) => e.field), ['data.order']);
  assert.equal(renderTemplate(welcome.en, { name: null, order: { id: 1 } }).subject, 'Welcome, ');
  assert.equal(renderTemplate({ subject: 's', html: '{{#items}}{{missing}}{{/items}}' }, { items: [1, 2] }).html, '');
});

test('a value that would put a line break into the subject is refused, naming it', () => {
  const error = inputError(() => renderTemplate(welcome.en, { name: 'x\r\nBcc: victim@example.com', order: { id: 1 } }));
  assert.deepEqual(error.errors.map((e) => e.field), ['data.name']);
  assert.match(error.errors[0]!.detail, /header injection/);
});

test('data cannot reach prototypes, and runaway sections stop at a limit', () => {
  const out = renderTemplate({ subject: '[{{constructor}}][{{__proto__.polluted}}][{{list.map}}]', text: '{{list.length}}' }, JSON.parse('{"constructor": null, "__proto__": {"polluted": 1}, "list": [1, 2]}'));
  assert.equal(out.subject, '[][1][]', 'a key named __proto__ is just a key');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(out.text, '2');
  const list = Array.from({ length: 200 }, (_, i) => i);
  const error = inputError(() => renderTemplate({ subject: 's', text: '{{#a}}{{#a}}{{#a}}x{{/a}}{{/a}}{{/a}}' }, { a: list }));
  assert.equal(error.status, 413);
  assert.match(error.errors[0]!.detail, new RegExp(String(TEMPLATE_LIMITS.renderSteps)));
});

test('saving checks each part: syntax, unescaped HTML, partials, nesting, subject line breaks', () => {
  assert.deepEqual(checkTemplateSources(welcome), []);
  const fields = (locales: Parameters<typeof checkTemplateSources>[0]) => checkTemplateSources(locales).map((e) => e.field);
  assert.deepEqual(fields({ en: { subject: 'x', html: '<p>{{{raw}}}</p>' } }), ['locales.en.html']);
  assert.deepEqual(fields({ en: { subject: 'x', html: '<p>{{& raw}}</p>' } }), ['locales.en.html']);
  assert.deepEqual(fields({ en: { subject: 'x', text: '{{{raw}}} is fine in text' } }), []);
  assert.deepEqual(fields({ zh: { subject: '{{#open}}', text: 't' } }), ['locales.zh.subject']);
  assert.deepEqual(fields({ en: { subject: 'x', text: '{{> partial}}' } }), ['locales.en.text']);
  assert.deepEqual(fields({ en: { subject: 'x', text: '{{#a}}{{#b}}{{#c}}{{#d}}{{#e}}x{{/e}}{{/d}}{{/c}}{{/b}}{{/a}}' } }), ['locales.en.text']);
  assert.deepEqual(fields({ en: { subject: 'a\nb', text: 't' } }), ['locales.en.subject']);
});

test('the locale asked for, else its language, else the default', () => {
  const available = ['zh-CN', 'en'];
  assert.equal(pickLocale(available, 'zh-CN', 'en'), 'en');
  assert.equal(pickLocale(available, 'zh-CN', 'EN-us'), 'en');
  assert.equal(pickLocale(available, 'en', 'zh'), 'zh-CN');
  assert.equal(pickLocale(available, 'en', 'zh-Hans-CN'), 'zh-CN');
  assert.equal(pickLocale(available, 'zh-CN', 'fr'), 'zh-CN');
  assert.equal(pickLocale(available, 'en', undefined), 'en');
});

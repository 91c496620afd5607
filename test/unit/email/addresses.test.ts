import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkAddress, headerTextProblem, parseMailbox } from '../../../lib/email/addresses.ts';
import { emailRequestSchema } from '../../../api/email-schemas.ts';

const ok = (input: Parameters<typeof parseMailbox>[0]) => {
  const parsed = parseMailbox(input);
  assert.ok('mailbox' in parsed, `${JSON.stringify(input)} refused: ${JSON.stringify(parsed)}`);
  return parsed.mailbox;
};
const refused = (input: Parameters<typeof parseMailbox>[0]) => {
  const parsed = parseMailbox(input);
  assert.ok('problem' in parsed, `${JSON.stringify(input)} accepted as ${JSON.stringify(parsed)}`);
  return parsed.problem;
};

test('addresses in the three shapes are accepted and normalised', () => {
  assert.deepEqual(ok('li.lei@example.com'), { email: 'li.lei@example.com' });
  assert.deepEqual(ok('  Li.Lei+tag@Example.COM '), { email: 'Li.Lei+tag@example.com' }, 'domain lower-cased, local part kept');
  assert.deepEqual(ok('李雷 <li.lei@example.com>'), { email: 'li.lei@example.com', name: '李雷' });
  assert.deepEqual(ok('"Lei, Li" <li.lei@example.com>'), { email: 'li.lei@example.com', name: 'Lei, Li' });
  assert.deepEqual(ok({ name: 'Han Meimei', email: 'han@example.com' }), { email: 'han@example.com', name: 'Han Meimei' });
  assert.deepEqual(ok({ email: 'ops@localhost' }), { email: 'ops@localhost' });
  // An internationalised domain travels as its ASCII (punycode) form, which every SMTP server takes.
  assert.deepEqual(ok('info@例子.中国'), { email: 'info@xn--fsqu00a.xn--fiqs8s' });
});

test('what is not an address is refused, saying why', () => {
  for (const bad of ['', 'plain', '@example.com', 'a@', 'a b@example.com', 'a@example', 'a@-bad-.com', 'a@[127.0.0.1]', 'a..b@example.com', 'a@example.123', `${'x'.repeat(65)}@example.com`, `a@${'d'.repeat(250)}.com`]) {
    assert.ok(refused(bad).detail.length > 0, bad);
  }
  assert.equal(refused({ email: 'nope' }).part, 'email');
  assert.equal(refused({ name: 'x'.repeat(201), email: 'a@example.com' }).part, 'name');
});

test('CR, LF and NUL are refused anywhere in an address or a display name: no header injection', () => {
  for (const bad of ['a@example.com\r\nBcc: victim@example.com', 'a@example.com\nX: y', 'Name\r\nBcc: v@example.com <a@example.com>', 'a\u0000@example.com']) {
    assert.match(refused(bad).detail, /header injection/, JSON.stringify(bad));
  }
  const problem = refused({ name: 'Eve\r\nBcc: victim@example.com', email: 'eve@example.com' });
  assert.equal(problem.part, 'name');
  assert.match(problem.detail, /CR, LF or NUL/);
  assert.equal(refused({ email: 'eve@example.com\n' }).part, 'email');
  assert.match(headerTextProblem('Hello\rBcc: x') ?? '', /header injection/);
  assert.match(headerTextProblem('Bell \u0007') ?? '', /control/);
  assert.equal(headerTextProblem('季度报告 Q3\t2026'), undefined);
  assert.deepEqual(checkAddress('a@example.com'), { email: 'a@example.com' });
});

test('the request schema names the offending field of each recipient and the subject', () => {
  const issues = (body: unknown) => {
    const r = emailRequestSchema.safeParse(body);
    assert.equal(r.success, false, JSON.stringify(body));
    return r.error!.issues.map((i) => i.path.join('.'));
  };
  const base = { to: ['a@example.com'], subject: 'Hi', text: 'Hello' };
  assert.deepEqual(issues({ ...base, to: ['a@example.com', 'bad'] }), ['to.1']);
  assert.deepEqual(issues({ ...base, cc: [{ name: 'X\nY', email: 'x@example.com' }] }), ['cc.0.name']);
  assert.deepEqual(issues({ ...base, bcc: [{ email: 'x@example.com\r\n' }] }), ['bcc.0.email']);
  assert.deepEqual(issues({ ...base, subject: 'Hi\r\nBcc: v@example.com' }), ['subject']);
  assert.deepEqual(issues({ ...base, cc: ['A@example.com'] }), ['cc.0'], 'a recipient twice (case-insensitive)');
  assert.deepEqual(issues({ ...base, mode: 'individual', cc: ['c@example.com'] }), ['cc']);
  assert.deepEqual(issues({ ...base, attachments: [{ path: '/etc/passwd' }] }), ['attachments.0']);
  assert.deepEqual(issues({ to: ['a@example.com'], text: 'no subject' }), ['subject']);
  assert.deepEqual(issues({ ...base, template: 'welcome' }), ['text']);
  const parsed = emailRequestSchema.parse({ ...base, to: ['Li <li@EXAMPLE.com>'] });
  assert.deepEqual(parsed.to, [{ email: 'li@example.com', name: 'Li' }]);
  assert.deepEqual([parsed.cc, parsed.bcc, parsed.attachments, parsed.mode], [[], [], [], 'single']);
});

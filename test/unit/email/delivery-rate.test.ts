/** The per-domain send rate: each domain has its own budget; over it, the wait until the window has room. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createDomainRate, domainOf } from '../../../lib/email/domain-rate.ts';

test('domainOf takes the part after the last @, lower-cased', () => {
  assert.equal(domainOf('"a@b"@Example.TEST'), 'example.test');
});

for (const store of ['memory', 'redis'] as const) {
  test(`per-domain budget (${store})`, { skip: store === 'redis' && !process.env.REDIS_URL ? 'REDIS_URL unset' : false }, async () => {
    const rate = createDomainRate({
      perMinute: 2,
      keyPrefix: `test-${randomUUID()}`,
      redisUrl: store === 'redis' ? process.env.REDIS_URL : undefined,
      windowSeconds: 60,
    });
    try {
      if (store === 'redis') await new Promise((resolve) => setTimeout(resolve, 200)); // let the client connect
      assert.equal(await rate.take(['a@one.test']), 0);
      assert.equal(await rate.take(['b@one.test', 'c@two.test']), 0);
      const wait = await rate.take(['d@one.test']);
      assert.ok(wait > 0 && wait <= 60_000, `third to one.test waits for the window (${wait} ms)`);
      assert.equal(await rate.take(['e@two.test']), 0, 'another domain has its own budget');
    } finally {
      await rate.close();
    }
  });
}

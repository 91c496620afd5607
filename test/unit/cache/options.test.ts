import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachePresets, createCache, CacheOptionsError } from '../../../lib/cache/index.ts';
import { toMs } from '../../../lib/cache/duration.ts';

test('durations accept milliseconds and unit strings', () => {
  assert.equal(toMs('ttl', 250), 250);
  assert.equal(toMs('ttl', '250ms'), 250);
  assert.equal(toMs('ttl', '30s'), 30_000);
  assert.equal(toMs('ttl', '5m'), 300_000);
  assert.equal(toMs('ttl', '1.5h'), 5_400_000);
  assert.equal(toMs('ttl', '2d'), 172_800_000);
});

test('a bad duration names its option', () => {
  assert.throws(() => toMs('grace', '5 minutes'), (error: unknown) => error instanceof CacheOptionsError && /"grace"/.test(error.message) && error.code === 'E_CACHE_OPTIONS');
  assert.throws(() => toMs('ttl', -1), /"ttl"/);
});

test('construction refuses bad options with a message naming them', () => {
  const cases: [Parameters<typeof createCache>[0], RegExp][] = [
    [{ prefix: '' }, /"prefix"/],
    [{ l1: { maxEntries: 0 } }, /"l1.maxEntries"/],
    [{ l1: { maxBytes: 1.5 } }, /"l1.maxBytes"/],
    [{ defaults: { ttl: '10 minutes' } }, /"ttl"/],
    [{ defaults: { ttl: 0 } }, /"ttl"/],
    [{ defaults: { jitter: 1 } }, /"jitter"/],
    [{ defaults: { softTimeout: '2s', hardTimeout: '1s' } }, /"softTimeout".*"hardTimeout"/],
    [{ defaults: { preset: 'warm' as never } }, /"preset"/],
    [{ defaults: { tags: [''] } }, /"tags"/],
    [{ redis: { url: 'http://localhost' } }, /"redis"/],
    [{ redis: { url: 'redis://127.0.0.1:1' }, lease: { ttl: '1s' }, defaults: { hardTimeout: '5s' } }, /"lease.ttl".*"defaults.hardTimeout"/],
    [{ redis: { url: 'redis://127.0.0.1:1' }, circuit: { failureThreshold: -1 } }, /"circuit.failureThreshold"/],
    [{ hotKeys: { capacity: 0 } }, /"hotKeys.capacity"/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => createCache(options), (error: unknown) => error instanceof CacheOptionsError && message.test(error.message), JSON.stringify(options));
  }
});

test('wrap checks its options once, at wrap time', () => {
  const cache = createCache();
  assert.throws(() => cache.wrap(async () => 1, { key: () => 'k', ttl: 'soon' }), /"ttl"/);
  assert.throws(() => cache.wrap(async () => 1, {} as never), /"key"/);
});

test('presets are documented values, hot shorter than normal shorter than cold', () => {
  const ttl = (name: keyof typeof cachePresets) => toMs('ttl', cachePresets[name].ttl);
  assert.ok(ttl('hot') < ttl('normal') && ttl('normal') < ttl('cold'));
  assert.deepEqual(
    Object.fromEntries(Object.entries(cachePresets).map(([name, preset]) => [name, [preset.ttl, preset.grace]])),
    { hot: ['30s', '5m'], normal: ['5m', '30m'], cold: ['1h', '24h'] },
  );
});

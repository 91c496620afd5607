/** Cron expressions and time zones as Schedules take them: problems name the field, previews and counts match the calendar. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronProblems, firingsBetween, isTimeZone, nextFirings } from '../../../lib/schedules/cron.ts';

test('good expressions pass; each bad one is a problem naming cron or timezone', () => {
  for (const cron of ['0 2 * * *', '*/15 * * * *', '0 9 * * mon-fri', '30 8 1,15 * *', '0 0 1 jan *', ' 0  2 * * * ']) {
    assert.deepEqual(cronProblems(cron, 'Asia/Shanghai'), [], cron);
  }
  const fields = (cron: string, tz = 'UTC') => cronProblems(cron, tz).map((p) => p.field);
  for (const cron of ['', '0 2 * *', '0 0 2 * * *', '60 * * * *', '0 24 * * *', '0 0 32 * *', '0 0 L * *', '0 9 * * 1#2', 'H * * * *', '0 9 ? * *', '0 9 1 * mon', '@daily']) {
    assert.deepEqual(fields(cron), ['cron'], cron);
  }
  assert.deepEqual(fields('0 2 * * *', 'Mars/Olympus'), ['timezone']);
  assert.deepEqual(fields('0 2 * * *', 'Asia/Shanghai; rm -rf /'), ['timezone']);
  assert.deepEqual(fields('61 * * * *', 'Nowhere/Land'), ['timezone', 'cron']);
  assert.ok(isTimeZone('America/Argentina/Buenos_Aires'));
  assert.ok(!isTimeZone('../../etc/localtime'));
});

test('next firings follow the time zone, daylight saving included', () => {
  // 02:30 in New York: 07:30 UTC under EST, 06:30 UTC once daylight saving starts (8 March 2026).
  const next = nextFirings('30 2 * * *', 'America/New_York', new Date('2026-03-06T12:00:00Z'), 4).map((d) => d.toISOString());
  assert.equal(next[0], '2026-03-07T07:30:00.000Z');
  assert.deepEqual(next.slice(2), ['2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z']);
  assert.deepEqual(nextFirings('0 2 * * *', 'Asia/Shanghai', new Date('2026-12-01T00:00:00Z'), 2).map((d) => d.toISOString()), [
    '2026-12-01T18:00:00.000Z',
    '2026-12-02T18:00:00.000Z',
  ]);
});

test('firings between two instants are counted, and the count stops past the limit', () => {
  const from = new Date('2026-12-01T00:00:00Z');
  assert.equal(firingsBetween('*/10 * * * *', 'UTC', from, new Date('2026-12-01T01:00:00Z'), 50).length, 6, 'from inclusive, to exclusive');
  assert.equal(firingsBetween('0 9 * * mon', 'UTC', from, new Date('2026-12-31T00:00:00Z'), 50).length, 4);
  assert.equal(firingsBetween('* * * * *', 'UTC', from, new Date('2026-12-31T00:00:00Z'), 50).length, 51);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planRetention } from '../../../lib/backup/retention.ts';

/** One backup a day at 02:00 UTC for `days` days ending 2026-12-01 (a Tuesday), newest first. */
const nightly = (days: number) =>
  Array.from({ length: days }, (_, i) => {
    const at = new Date(Date.UTC(2026, 11, 1 - i, 2));
    return { id: `bk_${at.toISOString().slice(0, 10)}`, createdAt: at.toISOString() };
  });

test('keeps the newest of the last N days, ISO weeks and months, labelled by the longest rule', () => {
  const plan = planRetention(nightly(120), { daily: 7, weekly: 4, monthly: 3 });
  const kept = [...plan.keep.entries()].sort(([a], [b]) => (a < b ? 1 : -1));
  assert.deepEqual(kept, [
    ['bk_2026-12-01', 'monthly'], // newest: the day, the week (Mon 30 Nov …) and December
    ['bk_2026-11-30', 'monthly'], // Monday, same ISO week as 1 Dec, but the newest of November
    ['bk_2026-11-29', 'weekly'], // Sunday: the newest of the week 23–29 Nov
    ['bk_2026-11-28', 'daily'],
    ['bk_2026-11-27', 'daily'],
    ['bk_2026-11-26', 'daily'],
    ['bk_2026-11-25', 'daily'],
    ['bk_2026-11-22', 'weekly'],
    ['bk_2026-11-15', 'weekly'],
    ['bk_2026-10-31', 'monthly'], // the newest of October
  ]);
  assert.equal(plan.drop.length, 120 - kept.length);
  assert.ok(!plan.drop.some((id) => plan.keep.has(id)));
});

test('several backups a day: only the newest of the day counts for it', () => {
  const backups = [
    { id: 'a', createdAt: '2026-12-01T01:00:00.000Z' },
    { id: 'b', createdAt: '2026-12-01T13:00:00.000Z' },
    { id: 'c', createdAt: '2026-11-30T13:00:00.000Z' },
  ];
  const plan = planRetention(backups, { daily: 2, weekly: 0, monthly: 0 });
  assert.deepEqual([...plan.keep.keys()].sort(), ['b', 'c']);
  assert.deepEqual(plan.drop, ['a']);
});

test('keeping nothing drops everything; nothing to keep is an empty plan', () => {
  assert.deepEqual(planRetention(nightly(3), { daily: 0, weekly: 0, monthly: 0 }).drop.length, 3);
  assert.deepEqual(planRetention([], { daily: 7, weekly: 4, monthly: 12 }), { keep: new Map(), drop: [] });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AnalyticsInputError } from '../../../lib/analytics/errors.ts';
import { addPeriods, checkRange, fillMissing, periodsBetween, periodStart } from '../../../lib/analytics/series.ts';

const fields = { from: 'trainFrom', to: 'trainTo' };
const refusal = (field: string) => (error: unknown) => error instanceof AnalyticsInputError && error.field === field;

describe('series periods', () => {
  test('each period starts where the engine’s date_trunc puts it (weeks on Monday)', () => {
    assert.equal(periodStart('2025-01-01', 'week'), '2024-12-30');
    assert.equal(periodStart('2025-01-05', 'week'), '2024-12-30');
    assert.equal(periodStart('2025-01-06', 'week'), '2025-01-06');
    assert.equal(periodStart('2025-08-31', 'month'), '2025-08-01');
    assert.equal(periodStart('2025-08-31', 'quarter'), '2025-07-01');
    assert.equal(periodStart('2025-08-31', 'year'), '2025-01-01');
  });

  test('adding periods, across month ends and leap days', () => {
    assert.equal(addPeriods('2024-02-28', 'day', 2), '2024-03-01');
    assert.equal(addPeriods('2025-12-29', 'week', 1), '2026-01-05');
    assert.equal(addPeriods('2025-11-01', 'month', 3), '2026-02-01');
    assert.equal(addPeriods('2025-10-01', 'quarter', 2), '2026-04-01');
    assert.equal(addPeriods('2025-01-01', 'year', 366), '2391-01-01');
  });

  test('the periods a range touches, whole', () => {
    assert.deepEqual(periodsBetween('2025-01-15', '2025-03-02', 'month'), ['2025-01-01', '2025-02-01', '2025-03-01']);
    assert.equal(periodsBetween('2024-01-01', '2025-12-31', 'day').length, 731);
    assert.deepEqual(periodsBetween('2025-03-31', '2025-04-01', 'quarter'), ['2025-01-01', '2025-04-01']);
  });

  test('missing periods: 0 for sums and counts, a straight line for the rest', () => {
    assert.deepEqual(fillMissing([null, 2, null, null, 5, null], 'sum'), [0, 2, 0, 0, 5, 0]);
    assert.deepEqual(fillMissing([null, 2, null, null, 5, null], 'avg'), [2, 2, 3, 4, 5, 5]);
    assert.deepEqual(fillMissing([1, null, 3], 'p90'), [1, 2, 3]);
  });

  test('ranges: calendar dates, in order, not absurd; each refusal names its field', () => {
    checkRange('2024-01-01', '2025-12-31', fields);
    assert.throws(() => checkRange('2025-02-30', '2025-03-01', fields), refusal('trainFrom'));
    assert.throws(() => checkRange('2025-01-01', '2025-13-01', fields), refusal('trainTo'));
    assert.throws(() => checkRange('2025-12-31', '2025-01-01', fields), refusal('trainFrom'));
    assert.throws(() => checkRange('1000-01-01', '2025-01-01', fields), refusal('trainFrom'));
    assert.throws(() => checkRange('1950-01-01', '2025-01-01', fields), refusal('trainFrom'));
    assert.throws(() => checkRange('2025-01-01', '9999-01-01', fields), refusal('trainTo'));
  });
});

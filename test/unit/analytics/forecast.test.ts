import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom } from '../../../lib/erp/random.ts';
import { backtest, forecastValues, methodName, seasonalNaive, seasonalPeriods, smape } from '../../../lib/analytics/forecast-model.ts';

/** Business days busy, the weekend quiet (index 0 = the series' first day). */
const WEEK = [1.2, 1.25, 1.2, 1.15, 1.05, 0.6, 0.55];

/** Daily orders: a linear trend (200 → ~400 over two years) × the week × 5% noise, seeded. */
function dailySeries(seed: string, n: number): number[] {
  const random = createRandom(seed);
  return Array.from({ length: n }, (_, i) => (200 + 0.25 * i) * WEEK[i % 7]! * (1 + 0.05 * random.normal()));
}

const coverage = (truth: number[], lower: number[], upper: number[]) => truth.filter((v, i) => v >= lower[i]! && v <= upper[i]!).length / truth.length;

describe('forecast arithmetic', () => {
  test('sMAPE: percent, symmetric, 0 where both are 0', () => {
    assert.equal(smape([100, 0], [100, 0]), 0);
    assert.equal(smape([100], [50]), (200 * 50) / 150);
    assert.equal(smape([50], [100]), smape([100], [50]));
    assert.equal(smape([0], [10]), 200);
  });

  test('seasonal naive repeats the last season', () => {
    assert.deepEqual(seasonalNaive([1, 2, 3, 4, 5, 6, 7, 8, 9], 5, 3), [7, 8, 9, 7, 8]);
    assert.deepEqual(seasonalNaive([1, 2, 3], 2, 1), [3, 3]);
  });

  test('seasons by granularity and length', () => {
    assert.deepEqual(seasonalPeriods('day', 60), [7]);
    assert.deepEqual(seasonalPeriods('day', 1000), [7]);
    assert.deepEqual(seasonalPeriods('week', 103), []);
    assert.deepEqual(seasonalPeriods('week', 104), [52]);
    assert.deepEqual(seasonalPeriods('month', 24), [12]);
    assert.deepEqual(seasonalPeriods('quarter', 8), [4]);
    assert.deepEqual(seasonalPeriods('year', 30), []);
    assert.equal(methodName([7]), 'mstl(7)+ets');
    assert.equal(methodName([]), 'ets');
  });
});

describe('forecast on a synthetic daily series with trend and weekly seasonality', () => {
  // Four forecast origins a month apart per series: one month of 5% noise alone can make or break a ratio.
  for (const seed of ['forecast-1', 'forecast-2', 'forecast-3']) {
    test(`beats seasonal naive clearly, with honest intervals (${seed})`, () => {
      const horizon = 28;
      const series = dailySeries(seed, 730 + horizon);
      const truths: number[] = [];
      const ours: number[] = [];
      const naive: number[] = [];
      let covered = 0;
      for (const end of [646, 674, 702, 730]) {
        const train = series.slice(0, end);
        const truth = series.slice(end, end + horizon);
        const f = forecastValues(train, 'day', horizon, 0.95);
        f.value.forEach((v, i) => assert.ok(f.lower[i]! <= v && v <= f.upper[i]!, `interval around the point at ${i}`));
        truths.push(...truth);
        ours.push(...f.value);
        naive.push(...seasonalNaive(train, horizon, 7));
        covered += coverage(truth, f.lower, f.upper) * horizon;
      }
      const error = smape(truths, ours);
      const baseline = smape(truths, naive);
      const coverageShare = covered / truths.length;
      console.log(`${seed}: sMAPE ours ${error.toFixed(2)}% vs seasonal naive ${baseline.toFixed(2)}% (×${(error / baseline).toFixed(2)}); 95% interval covers ${(coverageShare * 100).toFixed(0)}%`);
      assert.ok(error < 8, `sMAPE ${error} under 8%`);
      assert.ok(error <= 0.8 * baseline, `sMAPE ${error} at most 0.8 × the baseline's ${baseline}`);
      assert.ok(coverageShare >= 0.8, `the 95% interval covers ${coverageShare} of the held-out days`);

      // The backtest reports the same comparison on the training data's own tail.
      const b = backtest(series.slice(0, 730), 'day', horizon, 14);
      assert.equal(b.horizon, horizon);
      assert.ok(b.smape < 8 && b.smape < b.baseline.smape, JSON.stringify(b));
    });
  }

  test('a count never goes below 0, interval included', () => {
    // A steep decline towards zero: the model's trend would carry it below.
    const y = Array.from({ length: 60 }, (_, i) => Math.max(0, 60 - i) * WEEK[i % 7]!);
    const f = forecastValues(y, 'day', 30, 0.95);
    for (let i = 0; i < 30; i++) assert.ok(f.lower[i]! >= 0 && f.lower[i]! <= f.value[i]! && f.value[i]! <= f.upper[i]!);
  });

  test('monthly revenue with a yearly pattern: mstl(12) beats the same month last year', () => {
    const MONTH = [0.95, 0.7, 1.05, 1.0, 0.95, 1.1, 0.9, 0.9, 1.05, 0.85, 1.2, 1.3];
    const random = createRandom('monthly');
    const y = Array.from({ length: 39 }, (_, i) => (100_000 + 2_000 * i) * MONTH[i % 12]! * (1 + 0.04 * random.normal()));
    const f = forecastValues(y.slice(0, 36), 'month', 3, 0.95);
    assert.deepEqual(f.periods, [12]);
    const ours = smape(y.slice(36), f.value);
    const naive = smape(y.slice(36), seasonalNaive(y.slice(0, 36), 3, 12));
    console.log(`monthly: sMAPE ours ${ours.toFixed(2)}% vs seasonal naive ${naive.toFixed(2)}%`);
    assert.ok(ours < naive, `${ours} < ${naive}`);
  });

  test('years: ETS without a season follows the trend', () => {
    const y = Array.from({ length: 15 }, (_, i) => 1000 + 100 * i);
    const f = forecastValues(y, 'year', 2, 0.9);
    assert.deepEqual(f.periods, []);
    assert.ok(Math.abs(f.value[0]! - 2500) < 100 && Math.abs(f.value[1]! - 2600) < 150, JSON.stringify(f.value));
  });
});

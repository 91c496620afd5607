import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom } from '../../../lib/erp/random.ts';
import { anomalySeason, detectInSeries } from '../../../lib/analytics/anomalies-detect.ts';
import { median, robustSeasonalFit, robustTrend, robustZ, rollingMedian } from '../../../lib/analytics/anomalies-robust.ts';

/** Index 0 is a Monday: five busy days, a quiet Saturday and a quieter Sunday. */
const WEEK = [1.2, 1.25, 1.2, 1.15, 1.05, 0.6, 0.5];
const isWeekend = (i: number) => i % 7 >= 5;

/**
 * Two years of daily order counts: trend 300 → ~520 × the week, with Poisson
 * noise (√μ) and 3% day-to-day demand noise; then 10 days, at least 3 apart,
 * scaled by ±40–70%, on whatever weekday the draw gives (weekends included).
 */
function ordersWithAnomalies(seed: string) {
  const random = createRandom(seed);
  const n = 730;
  const y = Array.from({ length: n }, (_, i) => {
    const mu = (300 + 0.3 * i) * WEEK[i % 7]!;
    return Math.max(0, Math.round(mu + Math.sqrt(mu) * random.normal() + 0.03 * mu * random.normal()));
  });
  const injected = new Map<number, 'spike' | 'drop'>();
  while (injected.size < 10) {
    const d = random.int(0, n - 1);
    if ([...injected.keys()].some((k) => Math.abs(k - d) < 3)) continue;
    const direction = random.chance(0.5) ? 'spike' : 'drop';
    const size = 0.4 + 0.3 * random.next();
    y[d] = Math.round(y[d]! * (direction === 'spike' ? 1 + size : 1 - size));
    injected.set(d, direction);
  }
  return { y, injected };
}

describe('robust statistics', () => {
  test('median, rolling median, robust z', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    assert.deepEqual(rollingMedian([1, 100, 3, 4, 5], 3), [50.5, 3, 4, 4, 4.5]);
    // Past the whole windows the line goes on with their slope, rather than lagging.
    assert.deepEqual(robustTrend([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const z = robustZ([1, 2, 3, 4, 100]);
    assert.ok(z[4]! > 50 && Math.abs(z[2]!) < 1e-9);
    assert.deepEqual(robustZ([5, 5, 5]), [0, 0, 0], 'no scatter, nothing deviates');
  });

  test('a clean weekly pattern is explained: expected equals the series, no flags', () => {
    const y = Array.from({ length: 140 }, (_, i) => 100 * WEEK[i % 7]!);
    const fit = robustSeasonalFit(y, 7);
    assert.equal(fit.mode, 'multiplicative');
    fit.expected.forEach((e, i) => assert.ok(Math.abs(e - y[i]!) < 1e-9, `expected ${e} at ${i}, was ${y[i]}`));
    assert.equal(detectInSeries(y, 'day').flags.length, 0);
  });

  test('seasons: week for days, the year once three cycles are there', () => {
    assert.equal(anomalySeason('day', 30), 7);
    assert.equal(anomalySeason('week', 155), 1);
    assert.equal(anomalySeason('week', 156), 52);
    assert.equal(anomalySeason('month', 36), 12);
    assert.equal(anomalySeason('year', 30), 1);
  });
});

describe('anomalies in daily orders with a trend and a weekday pattern', () => {
  const seeds = ['anomalies-1', 'anomalies-2', 'anomalies-3', 'anomalies-4', 'anomalies-5'];
  let found = 0;
  let flagged = 0;
  let injectedTotal = 0;
  for (const seed of seeds) {
    test(`injected spikes and drops are found, ordinary weekends are not (${seed})`, () => {
      const { y, injected } = ordersWithAnomalies(seed);
      const { flags, method } = detectInSeries(y, 'day');
      const hits = flags.filter((f) => injected.get(f.index) === f.direction);
      const precision = hits.length / Math.max(1, flags.length);
      const recall = hits.length / injected.size;
      console.log(`${seed}: ${flags.length} flagged, ${hits.length} of ${injected.size} injected found: precision ${precision.toFixed(2)}, recall ${recall.toFixed(2)}`);
      found += hits.length;
      flagged += flags.length;
      injectedTotal += injected.size;
      assert.ok(precision >= 0.8, `precision ${precision}`);
      assert.ok(recall >= 0.8, `recall ${recall}`);
      const weekends = flags.filter((f) => isWeekend(f.index) && !injected.has(f.index));
      assert.deepEqual(weekends, [], 'no ordinary weekend day is flagged');
      assert.match(method, /robust_mad.*mstl\(7\)\+ets/);
      for (const f of flags) {
        assert.ok(f.score >= 3.5);
        assert.equal(f.direction, f.value > f.expected ? 'spike' : 'drop');
        assert.match(f.reason, /vs expected .* \([+−]\d+%\); robust z [+−]\d+\.\d on the weekday-adjusted residual; (outside|inside) the mstl\(7\)\+ets model's 99% interval/);
      }
    });
  }

  test('pooled over the seeds', () => {
    const precision = found / flagged;
    const recall = found / injectedTotal;
    console.log(`pooled: precision ${precision.toFixed(3)} (${found}/${flagged}), recall ${recall.toFixed(3)} (${found}/${injectedTotal})`);
    assert.ok(precision >= 0.9 && recall >= 0.9);
  });

  test('a drop reads as a drop, with both detectors in the reason', () => {
    const y = Array.from({ length: 140 }, (_, i) => Math.round((200 + i) * WEEK[i % 7]! * (1 + 0.03 * Math.sin(i * 1.7))));
    y[100] = Math.round(y[100]! * 0.3);
    const { flags } = detectInSeries(y, 'day');
    assert.equal(flags.length, 1, JSON.stringify(flags));
    assert.equal(flags[0]!.index, 100);
    assert.equal(flags[0]!.direction, 'drop');
    assert.match(flags[0]!.reason, /\(−\d+%\).*robust z −\d+\.\d.*outside the mstl\(7\)\+ets model's 99% interval/);
  });

  test('without a season (years) the robust score decides alone', () => {
    const y = Array.from({ length: 20 }, (_, i) => 1000 + 50 * i + (i % 2 ? 7 : -7));
    y[12] = 5000;
    const { flags, method } = detectInSeries(y, 'year');
    assert.deepEqual(flags.map((f) => f.index), [12]);
    assert.match(method, /^robust_mad/);
    assert.doesNotMatch(flags[0]!.reason, /model/);
  });
});

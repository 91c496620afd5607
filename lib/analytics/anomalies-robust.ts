/**
 * Robust statistics on seasonal residuals: what a period should have been,
 * from its neighbours and its season alone, and how far off it is in units of
 * the series' ordinary scatter. Medians and the MAD throughout, so the
 * anomalies being looked for do not bend the yardstick that finds them.
 */

export interface RobustFit {
  /** Expected value at each period: trend × seasonal profile (or trend + profile). */
  expected: number[];
  /** Residual at each period: log ratio to the expected (multiplicative) or the difference (additive). */
  residual: number[];
  /** Robust z-score of each residual: 0.6745 · (r − median) / MAD. */
  z: number[];
  /** `multiplicative` for series never negative (counts, money): seasons scale with the level. */
  mode: 'multiplicative' | 'additive';
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Centred rolling median over `window` periods (shrinking at the ends). An even
 * window of whole seasons (two weeks of days) holds every weekday equally
 * often, so the trend does not wobble with the weekday it is centred on.
 */
export function rollingMedian(y: readonly number[], window: number, skipCentre = false): number[] {
  const before = Math.floor(window / 2);
  const after = window - before - 1;
  return y.map((_, i) => {
    const around = y.slice(Math.max(0, i - before), Math.min(y.length, i + after + 1));
    if (skipCentre) around.splice(Math.min(i, before), 1);
    return median(around);
  });
}

/**
 * The trend: the rolling median (of the neighbours only, with `skipCentre`) where its whole window fits; towards either
 * end, where the window would shrink (and, on a trend, lag: the first week's
 * median sits at its middle day), the line continues with the slope between
 * two whole windows a window apart. A series shorter than that has its median.
 */
export function robustTrend(y: readonly number[], window: number, skipCentre = false): number[] {
  const n = y.length;
  const before = Math.floor(window / 2);
  const after = window - before - 1;
  const first = before;
  const last = n - 1 - after;
  if (last < first) return y.map(() => median(y));
  const rolling = rollingMedian(y, window, skipCentre);
  const slopeAt = (a: number, b: number) => (b > a ? (rolling[b]! - rolling[a]!) / (b - a) : 0);
  const left = slopeAt(first, Math.min(last, first + window));
  const right = slopeAt(Math.max(first, last - window), last);
  return y.map((_, i) => (i < first ? rolling[first]! - (first - i) * left : i > last ? rolling[last]! + (i - last) * right : rolling[i]!));
}

/** Median of the values at each seasonal position (period index mod `season`). */
function seasonalProfile(values: readonly number[], season: number): number[] {
  const byPosition: number[][] = Array.from({ length: season }, () => []);
  values.forEach((v, i) => byPosition[i % season]!.push(v));
  return byPosition.map(median);
}

/**
 * Robust z-scores: 0.6745 · (x − median) / MAD, the MAD scaled to a normal's
 * standard deviation. A series whose residuals are mostly identical (MAD 0)
 * falls back to the mean absolute deviation (scaled by √(π/2)); if that is 0
 * too, nothing deviates and every score is 0.
 */
export function robustZ(values: readonly number[]): number[] {
  const m = median(values);
  const deviations = values.map((v) => Math.abs(v - m));
  let scale = median(deviations) / 0.6745;
  if (scale === 0) scale = (deviations.reduce((a, b) => a + b, 0) / Math.max(1, values.length)) * Math.sqrt(Math.PI / 2);
  return values.map((v) => (scale === 0 ? 0 : (v - m) / scale));
}

/** Enough periods at each seasonal position for its own median and MAD. */
const MIN_PER_POSITION = 12;

/**
 * Robust z of each residual against the residuals at the same seasonal
 * position (the same weekday), when there are enough of them: a quiet Sunday
 * has fewer orders, so its share scatters more (Poisson noise is √n), and one
 * yardstick for all days would flag ordinary Sundays. Short series: one
 * yardstick for all.
 */
function seasonalZ(residual: readonly number[], season: number): number[] {
  if (season === 1 || residual.length < season * MIN_PER_POSITION) return robustZ(residual);
  const z = new Array<number>(residual.length);
  for (let k = 0; k < season; k++) {
    const at: number[] = [];
    for (let i = k; i < residual.length; i += season) at.push(i);
    robustZ(at.map((i) => residual[i]!)).forEach((v, j) => (z[at[j]!] = v));
  }
  return z;
}

/**
 * Trend: rolling median over `window` periods (by default two seasons, at
 * least 7; see robustTrend). Season: median
 * of the detrended values at each position (each weekday, for days). Then the
 * residual and its robust z. A series never negative is treated as
 * multiplicative: a Monday is 1.2 × the trend, not trend + 30, so the weekday
 * pattern grows with the business; residuals are log ratios (log1p on both
 * sides keeps zero counts finite), which makes a halving and a doubling equally
 * far from normal.
 */
export function robustSeasonalFit(y: readonly number[], season: number, window = Math.max(7, 2 * season)): RobustFit {
  const s = Math.max(1, season);
  // Without a season the window is odd and, on a steady trend, its median is the
  // period itself: every residual 0 but the wildest. Leaving the period out makes
  // its trend the line through its neighbours.
  const trend = robustTrend(y, window, s === 1);
  const multiplicative = y.every((v) => v >= 0) && trend.every((t) => t > 0);
  if (multiplicative) {
    const profile = seasonalProfile(y.map((v, i) => v / trend[i]!), s);
    const expected = trend.map((t, i) => t * profile[i % s]!);
    const residual = y.map((v, i) => Math.log1p(v) - Math.log1p(expected[i]!));
    return { expected, residual, z: seasonalZ(residual, s), mode: 'multiplicative' };
  }
  const profile = seasonalProfile(y.map((v, i) => v - trend[i]!), s);
  const expected = trend.map((t, i) => t + profile[i % s]!);
  const residual = y.map((v, i) => v - expected[i]!);
  return { expected, residual, z: seasonalZ(residual, s), mode: 'additive' };
}

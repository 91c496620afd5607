/**
 * Anomalous periods of a series, on plain numbers: two detectors, combined.
 *
 * (a) Robust statistics (anomalies-robust.ts): rolling-median trend × median
 *     seasonal profile; the residual's robust z (MAD) per seasonal position.
 * (b) A model: augurs' MSTL with an AutoETS trend, fitted to the whole series;
 *     its in-sample one-step fit with a 99% prediction interval. It sees the
 *     series additively, with one interval width for every weekday, where (a)
 *     sees shares scattering per weekday: two different views of "normal".
 *
 * A period is flagged when both agree (|z| ≥ 3.5 and outside the interval, on
 * the same side), or when (a) alone is very strong (|z| ≥ 6: a one-day outage
 * widens the model's own interval, so the model can miss what it swallowed).
 * On 20 synthetic two-year daily series with 10 injected ±40–70% days each
 * (trend, weekday pattern, Poisson noise), (a) alone found 198/200 with 14
 * false flags (quiet weekend days), (b) alone 188/200 with 24; combined
 * 195/200 with none. On the generated ERP (about 27 orders a day) the outage
 * day, with 0 orders, sat inside the model's interval (small counts make it
 * wide) and was caught by (a) alone at z −27.
 */
import { mstlInSample } from './augurs.ts';
import { robustSeasonalFit } from './anomalies-robust.ts';
import type { SeriesGrain } from './forecast-model.ts';

export const Z_THRESHOLD = 3.5;
export const Z_STRONG = 6;
export const MODEL_LEVEL = 0.99;

/**
 * The season both detectors use: the week for days; the year for weeks,
 * months and quarters once three cycles are there (the profile's median needs
 * several samples of each position, or one year's anomaly becomes the norm).
 */
export function anomalySeason(grain: SeriesGrain, n: number): number {
  const season = { day: 7, week: 52, month: 12, quarter: 4, year: 1 }[grain];
  const cycles = grain === 'day' ? 2 : 3;
  return season > 1 && n >= cycles * season ? season : 1;
}

export interface Flag {
  index: number;
  value: number;
  expected: number;
  score: number;
  direction: 'spike' | 'drop';
  reason: string;
}

export interface Detection {
  flags: Flag[];
  expected: number[];
  method: string;
}

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const fmt = (v: number) => number.format(v).replace('-', '−');
const signed = (v: number, digits: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;

/**
 * The model's in-sample fit, or null when the series has no season for MSTL to
 * decompose by, or the fit finds no model (AutoETS can fail on odd series):
 * then the robust score decides alone, and the method says so.
 */
function modelFit(y: readonly number[], season: number) {
  if (season === 1) return null;
  try {
    return mstlInSample(y, [season], MODEL_LEVEL);
  } catch {
    return null;
  }
}

export function detectInSeries(y: readonly number[], grain: SeriesGrain): Detection {
  const season = anomalySeason(grain, y.length);
  // Days: a four-week trend window, so a holiday week is a quarter of it, not half, and does not
  // drag its neighbours' trend down until ordinary days beside it look like spikes (seen on the ERP's National Day).
  const robust = robustSeasonalFit(y, season, grain === 'day' && season === 7 ? 28 : undefined);
  const fitted = modelFit(y, season);
  // Counts and money are never negative: an interval reaching below 0 is shown from 0.
  const floor = y.every((v) => v >= 0) ? 0 : -Infinity;
  const model = fitted && { ...fitted, lower: fitted.lower.map((v) => Math.max(floor, v)) };
  const adjusted = season === 1 ? 'trend-adjusted' : grain === 'day' ? 'weekday-adjusted' : 'season-adjusted';
  const modelName = `mstl(${season})+ets`;
  const flags: Flag[] = [];
  for (let i = 0; i < y.length; i++) {
    const value = y[i]!;
    const z = robust.z[i]!;
    const expected = robust.expected[i]!;
    const direction = z < 0 ? 'drop' : 'spike';
    const outside = model !== null && (direction === 'drop' ? value < model.lower[i]! : value > model.upper[i]!);
    const robustFlag = Math.abs(z) >= Z_THRESHOLD;
    if (!(robustFlag && (outside || model === null)) && Math.abs(z) < Z_STRONG) continue;
    const change = expected === 0 ? '' : ` (${signed((100 * (value - expected)) / Math.abs(expected), 0)}%)`;
    const parts = [`${fmt(value)} vs expected ${fmt(round2(expected))}${change}`, `robust z ${signed(z, 1)} on the ${adjusted} residual`];
    if (model !== null) {
      const band = `[${fmt(round2(model.lower[i]!))}, ${fmt(round2(model.upper[i]!))}]`;
      parts.push(outside ? `outside the ${modelName} model's 99% interval ${band}` : `inside the ${modelName} model's 99% interval ${band}, flagged on the robust score alone`);
    }
    flags.push({ index: i, value, expected: round2(expected), score: round2(Math.abs(z)), direction, reason: parts.join('; ') });
  }
  const method =
    model === null ? `robust_mad(z≥${Z_THRESHOLD}, season ${season})${season > 1 ? `; ${modelName} found no model` : ''}` : `robust_mad(z≥${Z_THRESHOLD}, season ${season}) & ${modelName} ${MODEL_LEVEL * 100}% interval; robust alone at z≥${Z_STRONG}`;
  return { flags, expected: robust.expected.map(round2), method };
}

const round2 = (v: number) => Math.round(v * 100) / 100;

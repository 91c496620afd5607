/**
 * The forecasting arithmetic on plain number arrays, apart from the database:
 * which seasons a series of a granularity gets, the MSTL+ETS forecast with its
 * interval, the holdout backtest and the seasonal-naive baseline it is judged by.
 */
import { mstlForecast } from './augurs.ts';
import type { SeriesRequest } from './types.ts';

export type SeriesGrain = SeriesRequest['granularity'];

/** Periods of two years at each grain: yearly seasonality is only estimated from two whole cycles. */
const TWO_YEARS: Record<SeriesGrain, number> = { day: 730, week: 104, month: 24, quarter: 8, year: 2 };

/**
 * Seasonal periods for `n` training periods of `grain`. Days have the week (7)
 * only: a yearly season (365) fitted on two or three years took up the trend
 * (its cycle ramps up and falls back at the wrap) and doubled the error, even on
 * data with a true yearly swing, which the ETS trend follows locally anyway.
 * Weeks, months and quarters get the year (52, 12, 4) once two whole years are
 * there, where it cut the error by half or more; years have no season (ETS on
 * the series: level and trend). All measured on synthetic series.
 */
export function seasonalPeriods(grain: SeriesGrain, n: number): number[] {
  const yearly = n >= TWO_YEARS[grain];
  const periods =
    grain === 'day' ? [7]
    : grain === 'week' ? (yearly ? [52] : [])
    : grain === 'month' ? (yearly ? [12] : [])
    : grain === 'quarter' ? (yearly ? [4] : [])
    : [];
  // The decomposition needs two whole cycles of a season.
  return periods.filter((p) => n >= 2 * p);
}

/** The method's name as answered: `mstl(7,365)+ets`, or `ets` with no season. */
export const methodName = (periods: readonly number[]) => (periods.length > 0 ? `mstl(${periods.join(',')})+ets` : 'ets');

/**
 * Symmetric mean absolute percentage error, in percent (0 … 200): the mean of
 * 200·|a−f| / (|a|+|f|). A period where both are 0 was forecast exactly and
 * counts 0, rather than 0/0.
 */
export function smape(actual: readonly number[], predicted: readonly number[]): number {
  if (actual.length === 0) return 0;
  let total = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const f = predicted[i]!;
    const scale = Math.abs(a) + Math.abs(f);
    total += scale === 0 ? 0 : (200 * Math.abs(a - f)) / scale;
  }
  return total / actual.length;
}

/** Each future period takes the value one season before it, the last season repeating (season 1: the last value). */
export function seasonalNaive(train: readonly number[], horizon: number, season: number): number[] {
  const n = train.length;
  const s = Math.max(1, Math.min(season, n));
  return Array.from({ length: horizon }, (_, k) => train[n - s + (k % s)]!);
}

export interface PointForecast {
  value: number[];
  lower: number[];
  upper: number[];
  periods: number[];
}

/**
 * MSTL with an AutoETS trend (augurs) over `train`, `horizon` periods ahead.
 * A series that was never negative (counts, revenue) is clamped at 0: a
 * forecast of −3 orders, or an interval reaching below 0, says nothing useful.
 * The interval is kept around the point (lower ≤ value ≤ upper) whatever the
 * model's rounding.
 */
export function forecastValues(train: readonly number[], grain: SeriesGrain, horizon: number, level: number): PointForecast {
  let periods = seasonalPeriods(grain, train.length);
  let f;
  try {
    f = mstlForecast(train, periods, horizon, level);
  } catch (error) {
    // AutoETS finds no model for some odd series (a few values, the rest flat): without the season
    // it is a plain level-and-trend fit, which does; the method's name says which one answered.
    if (periods.length === 0) throw error;
    periods = [];
    f = mstlForecast(train, periods, horizon, level);
  }
  const floor = train.every((v) => v >= 0) ? 0 : -Infinity;
  const value = f.point.map((v) => Math.max(floor, finite(v)));
  const lower = f.lower.map((v, i) => Math.max(floor, Math.min(finite(v), value[i]!)));
  const upper = f.upper.map((v, i) => Math.max(finite(v), value[i]!));
  return { value, lower, upper, periods };
}

const finite = (v: number) => (Number.isFinite(v) ? v : 0);

export interface Backtest {
  smape: number;
  horizon: number;
  baseline: { method: 'seasonal_naive'; smape: number };
  /** The method refitted on the shorter training part: it may have fewer seasons than the forecast's (24 months hold out 3: 21 fit no yearly season). */
  method: string;
}

/**
 * Holds out the last `horizon` periods (fewer when that would leave under
 * `minTrain` to fit on), fits the same method on the rest, and scores both it
 * and the seasonal-naive baseline (season: the shortest of the method's
 * seasons, 1 with none) on what was held out.
 */
export function backtest(series: readonly number[], grain: SeriesGrain, horizon: number, minTrain: number): Backtest {
  const held = Math.max(0, Math.min(horizon, series.length - minTrain));
  if (held === 0) return { smape: 0, horizon: 0, baseline: { method: 'seasonal_naive', smape: 0 }, method: methodName(seasonalPeriods(grain, series.length)) };
  const train = series.slice(0, series.length - held);
  const truth = series.slice(series.length - held);
  const ours = forecastValues(train, grain, held, 0.95);
  const season = ours.periods.length > 0 ? Math.min(...ours.periods) : 1;
  return {
    smape: round(smape(truth, ours.value), 2),
    horizon: held,
    baseline: { method: 'seasonal_naive', smape: round(smape(truth, seasonalNaive(train, held, season)), 2) },
    method: methodName(ours.periods),
  };
}

export const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * POST /v1/analytics/forecast's work: load the training series (series.ts),
 * forecast `horizon` periods past it with MSTL+ETS and its interval, and score
 * the same method on the training data's own last periods against the
 * seasonal-naive baseline (forecast-model.ts), so every forecast carries its
 * measured error.
 */
import { AnalyticsInputError } from './errors.ts';
import { backtest, forecastValues, methodName, round } from './forecast-model.ts';
import type { AnalyticsEngine } from './port.ts';
import { addPeriods, loadSeries } from './series.ts';
import { ANALYTICS_LIMITS, type ForecastRequest, type ForecastResult } from './types.ts';

export const DEFAULT_LEVEL = 0.95;

/** Bounds the schema also states; checked here too, since reports call this without the API. */
function checkForecast(request: ForecastRequest): number {
  const { horizon } = request;
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > ANALYTICS_LIMITS.maxHorizon) {
    throw new AnalyticsInputError('horizon', `a whole number of periods from 1 to ${ANALYTICS_LIMITS.maxHorizon}`);
  }
  const level = request.level ?? DEFAULT_LEVEL;
  if (!(level >= 0.5 && level <= 0.99)) throw new AnalyticsInputError('level', 'an interval level from 0.5 to 0.99');
  return level;
}

export async function forecastSeries(engine: AnalyticsEngine, request: ForecastRequest): Promise<ForecastResult> {
  const level = checkForecast(request);
  const series = await loadSeries(engine, { ...request, from: request.trainFrom, to: request.trainTo }, { from: 'trainFrom', to: 'trainTo' });
  const n = series.values.length;
  // One period more than the least the model fits on: the backtest needs one to hold out.
  if (n < ANALYTICS_LIMITS.minTrainPeriods + 1) {
    throw new AnalyticsInputError(
      'trainFrom',
      `the training range has ${n} ${request.granularity} periods; a forecast needs at least ${ANALYTICS_LIMITS.minTrainPeriods + 1} (start earlier or use a finer granularity)`,
    );
  }
  const fit = forecastValues(series.values, request.granularity, request.horizon, level);
  const last = series.periods.at(-1)!;
  // Money and counts are answered to the cent: more digits would be noise dressed as precision.
  const forecast = fit.value.map((value, i) => ({
    period: addPeriods(last, request.granularity, i + 1),
    value: round(value, 2),
    lower: round(fit.lower[i]!, 2),
    upper: round(fit.upper[i]!, 2),
  }));
  return {
    forecast,
    method: methodName(fit.periods),
    backtest: backtest(series.values, request.granularity, request.horizon, ANALYTICS_LIMITS.minTrainPeriods),
    history: series.periods.map((period, i) => ({ period, value: series.values[i]! })),
    level,
  };
}

/**
 * POST /v1/analytics/anomalies' work: load the series over [from, to]
 * (series.ts) and flag its anomalous periods with two detectors combined
 * (anomalies-detect.ts), each flag with its reason.
 */
import { detectInSeries } from './anomalies-detect.ts';
import { AnalyticsInputError } from './errors.ts';
import type { AnalyticsEngine } from './port.ts';
import { loadSeries } from './series.ts';
import { ANALYTICS_LIMITS, type AnomalyRequest, type AnomalyResult } from './types.ts';

export async function detectAnomalies(engine: AnalyticsEngine, request: AnomalyRequest): Promise<AnomalyResult> {
  const series = await loadSeries(engine, request, { from: 'from', to: 'to' });
  const n = series.values.length;
  // Fewer periods than this and "unusual" has no "usual" to stand against.
  if (n < ANALYTICS_LIMITS.minTrainPeriods) {
    throw new AnalyticsInputError('from', `the range has ${n} ${request.granularity} periods; anomaly detection needs at least ${ANALYTICS_LIMITS.minTrainPeriods}`);
  }
  const detection = detectInSeries(series.values, request.granularity);
  return {
    anomalies: detection.flags.map(({ index, ...flag }) => ({ period: series.periods[index]!, ...flag })),
    method: detection.method,
    series: series.periods.map((period, i) => ({ period, value: series.values[i]!, expected: detection.expected[i]! })),
  };
}

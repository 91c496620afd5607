/** The forecast and anomaly operations of the OpenAPI document (api/routes/analytics-series.ts). */
import { z } from 'zod';
import { anomaliesSchema, forecastSchema } from '../routes/analytics-series.ts';
import { json, jsonBody, problem, responses, schemaOf } from './parts.ts';

const point = z.object({ period: z.string().describe('first day of the period, YYYY-MM-DD'), value: z.number() });

const forecastView = z.object({
  forecast: z
    .array(point.extend({ lower: z.number(), upper: z.number() }))
    .describe('one per period after trainTo; a series never negative (counts, revenue) is kept at 0 or above, interval included'),
  method: z.string().describe('the model and its seasons, e.g. `mstl(7)+ets` (MSTL with an AutoETS trend, weekly season) or `ets`'),
  backtest: z
    .object({
      smape: z.number().describe('sMAPE in percent of the same method, fitted without the last `horizon` training periods and scored on them'),
      horizon: z.number().int().describe('periods held out (the horizon, fewer if the training range is short)'),
      baseline: z.object({ method: z.literal('seasonal_naive'), smape: z.number().describe('sMAPE of "the value one season earlier" on the same periods') }),
      method: z.string().describe('the method as refitted on the shorter training part: fewer periods can mean fewer seasons (e.g. `ets` where the forecast is `mstl(12)+ets`)'),
    })
    .describe('the forecast’s measured error, next to a seasonal-naive baseline'),
  history: z.array(point).describe('the training series as the model saw it (missing periods: 0 for sums and counts, else interpolated)'),
  level: z.number(),
});

const anomaly = z.object({
  period: z.string(),
  value: z.number(),
  expected: z.number().describe('trend × the period’s seasonal share (e.g. its weekday’s)'),
  score: z.number().describe('|robust z| of the seasonal residual; flagged from 3.5'),
  direction: z.enum(['spike', 'drop']),
  reason: z.string().describe('which detectors flagged it and by how much'),
});

const anomaliesView = z.object({
  anomalies: z.array(anomaly),
  method: z.string(),
  series: z.array(z.object({ period: z.string(), value: z.number(), expected: z.number() })).optional().describe('with `series: true`'),
});

const refusals = {
  '400': problem('Invalid field, a name the catalog does not have, an absurd range or horizon, or too few periods (the field is named)'),
  '404': problem('No ERP for this tenant'),
  '413': problem('Body over 64 KiB'),
  '415': problem('Not JSON'),
  '422': problem('Over a limit: cost or statement_timeout (named in `limit`)'),
};

export const analyticsSeriesPaths = {
  '/v1/analytics/forecast': {
    post: {
      summary: 'Forecast a measure (scope `reports`), with its interval and its backtest error next to a seasonal-naive baseline',
      description:
        'MSTL (augurs) with an AutoETS trend: days get the weekly season, weeks/months/quarters the yearly one from two years of ' +
        'training data on, years none. Aggregated per period in the database first. The training range must hold at least ' +
        `15 periods; horizon and range are bounded.`,
      requestBody: jsonBody(schemaOf(forecastSchema, 'input')),
      responses: responses({ '200': { description: 'The forecast', ...json(forecastView) }, ...refusals }),
    },
  },
  '/v1/analytics/anomalies': {
    post: {
      summary: 'Anomalous periods of a measure (scope `reports`), each with a reason',
      description:
        'Two detectors combined: robust statistics on seasonal residuals (rolling-median trend, median seasonal profile, MAD ' +
        'z-score per seasonal position) and augurs’ MSTL fitted in-sample with a 99% interval. A period is flagged when both ' +
        'agree (|z| ≥ 3.5 and outside the interval) or when |z| ≥ 6. Without a season (years, short series) the robust score decides.',
      requestBody: jsonBody(schemaOf(anomaliesSchema, 'input')),
      responses: responses({ '200': { description: 'The anomalies, in time order', ...json(anomaliesView) }, ...refusals }),
    },
  },
};

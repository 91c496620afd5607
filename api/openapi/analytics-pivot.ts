/** The pivot and drill-down operations of the OpenAPI document (api/routes/analytics-pivot.ts). */
import { z } from 'zod';
import { drillSchema, pivotSchema } from '../routes/analytics-pivot.ts';
import { ANALYTICS_LIMITS } from '../../lib/analytics/types.ts';
import { json, jsonBody, problem, responses, schemaOf, type JsonSchema } from './parts.ts';

// The route counts the cell's fields itself (zod's record has no size bound); the schema says so too.
const drillBody = schemaOf(drillSchema, 'input');
(drillBody.properties as Record<string, JsonSchema>).cell!.maxProperties = ANALYTICS_LIMITS.maxDimensions;

const value = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const column = z.object({
  name: z.string(),
  type: z.enum(['string', 'integer', 'number', 'money', 'date', 'timestamp', 'boolean']),
  role: z.enum(['dimension', 'measure']),
});
const grid = z.array(z.array(z.number().nullable())).describe('[measure][column]; the last column is the row’s total over all columns');

const pivotRow = z.object({
  kind: z.enum(['detail', 'subtotal', 'total']),
  key: z.array(value).describe('the row fields’ values; past depth, null'),
  depth: z.number().int().describe('how many row fields are fixed: all for a detail row, 0 for the grand total'),
  cells: grid.describe('the database’s own aggregate at each level: exact for every aggregation; null where no rows are'),
  shares: z
    .object({ row: grid, column: grid, total: grid })
    .partial()
    .optional()
    .describe('fractions of the row’s total, the column’s total and the grand total; null for non-additive measures'),
});

const pivotView = z.object({
  rowFields: z.array(column),
  columnFields: z.array(column),
  measures: z.array(column),
  columnKeys: z.array(z.array(value)).describe('column headers in order (ascending, nulls last), without the total column'),
  rows: z.array(pivotRow).describe('detail rows ascending (nulls last), each group followed by its subtotal, the grand total last'),
  sql_ms: z.number(),
});

const rowsPageView = z.object({
  columns: z.array(column),
  rows: z.array(z.record(z.string(), value)),
  next: z.string().nullable().describe('pass as `after` for the next page; null on the last'),
  sql_ms: z.number(),
});

export const analyticsPivotPaths = {
  '/v1/analytics/pivot': {
    post: {
      summary: 'A pivot table (scope `reports`): row fields × column fields, with subtotals, totals and shares',
      description:
        'Aggregated in the database at each level the table shows, so subtotals and totals are exact for every aggregation. ' +
        'Unknown or unsuitable fields are a 400 naming the pivot’s field (`rows.0`, `columns.1`, `measures.0.agg`); ' +
        'more cells than the limit (row groups × column groups × measures) a 422 with `limit: "cells"`.',
      requestBody: jsonBody(schemaOf(pivotSchema, 'input')),
      responses: responses({
        '200': { description: 'The pivot', ...json(pivotView) },
        '400': problem('Invalid field, or a name the catalog does not have'),
        '404': problem('No ERP for this tenant'),
        '413': problem('Body over 64 KiB'),
        '415': problem('Not JSON'),
        '422': problem('Over a limit: cells, cost or statement_timeout (named in `limit`)'),
      }),
    },
  },
  '/v1/analytics/drill': {
    post: {
      summary: 'The rows under one cell of a pivot (scope `reports`), a page at a time in key order',
      requestBody: jsonBody(drillBody),
      responses: responses({
        '200': { description: 'A page of rows', ...json(rowsPageView) },
        '400': problem('Invalid field, or a name the catalog does not have (`cell.<field>` for the cell’s)'),
        '404': problem('No ERP for this tenant'),
        '413': problem('Body over 64 KiB'),
        '415': problem('Not JSON'),
        '422': problem('Over a limit: cost or statement_timeout (named in `limit`)'),
      }),
    },
  },
};

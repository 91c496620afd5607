/** The reports and report-templates operations of the OpenAPI document. */
import { z } from 'zod';
import { DATASETS } from '../../lib/analytics/catalog.ts';
import { REPORT_ID_PATTERN, TEMPLATE_ID_PATTERN } from '../../lib/reports/ids.ts';
import { RELATIVE_RANGES } from '../../lib/reports/relative-ranges.ts';
import { REPORT_FORMATS } from '../../lib/reports/types.ts';
import { reportFromTemplateSchema, reportListQuery, reportSpecSchema, templateParameterSchema, templateSchema } from '../report-schemas.ts';
import { json, jsonBody, notModified, pathId, problem, queryParameters, responses, schemaOf, type JsonSchema } from './parts.ts';

const specDoc = schemaOf(reportSpecSchema, 'input');
(specDoc.properties as Record<string, JsonSchema>).source = { type: 'string', enum: Object.keys(DATASETS) };

const status = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
const accepted = z.object({ id: z.string(), workflowId: z.string(), status });
const reportView = z.object({
  id: z.string(),
  title: z.string(),
  status,
  stage: z.string().describe('compile, query, analyse, render, export, finish; then the status'),
  progress: z.number().min(0).max(1),
  artifacts: z.array(z.object({ format: z.enum(REPORT_FORMATS), bytes: z.number().int(), sha256: z.string(), url: z.string() })),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  templateId: z.string().nullable(),
  parameters: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  workflowId: z.string(),
});
const templateView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  parameters: z.array(templateParameterSchema),
  spec: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const reportIdParameter = pathId(REPORT_ID_PATTERN, 'a report id: rpt_ and 24 lower-case hex characters');
const templateIdParameter = pathId(TEMPLATE_ID_PATTERN, 'a report template id: tpl_ and 24 lower-case hex characters');
const bodyProblems = { '400': problem('Invalid field (named in errors)'), '413': problem('Body over 256 KiB'), '415': problem('Not UTF-8 JSON') };
const page = (item: z.ZodType) => json(z.object({ items: z.array(item), nextCursor: z.string().nullable() }));

const templateDescription =
  'A template is a report body whose values may be parameter references: `{ "param": "<name>" }` stands for the value, anywhere ' +
  'in the body; a `relative_range` parameter stands for `[from, to]` (a `between` filter value), and `{ "param": "<name>", "part": ' +
  '"from" | "to" }` for one end (a forecast or anomaly date). Relative ranges, resolved in ANALYTICS_TIME_ZONE on the day a report ' +
  `is started: ${RELATIVE_RANGES.join(', ')} (the last N days exclude today). The body is checked as a report with each parameter ` +
  'at its default (or a stand-in) when saved.';

export const reportPaths = {
  '/v1/reports': {
    post: {
      summary: 'Start a report (scope `reports`, default tenant): a generateReport workflow writes its files',
      description:
        'Either the whole spec, or `templateId` with `parameters`. Everything is checked before the workflow starts (400 naming the ' +
        'field): names against the catalog, pivot fields among the dimensions, forecast and anomaly measures among the measure columns, ' +
        'ranges and horizons, charts against the report. `filters` apply to every view (linked filters). An `Idempotency-Key` header ' +
        'makes a repeat the same report; the same key with another body is a 422.',
      parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' } }],
      requestBody: jsonBody({ oneOf: [specDoc, schemaOf(reportFromTemplateSchema, 'input')] }),
      responses: responses({
        '202': { description: 'Accepted; the workflow runs', ...json(accepted) },
        ...bodyProblems,
        '404': problem('No reports for this tenant'),
        '422': problem('The Idempotency-Key was used with another body'),
      }),
    },
    get: {
      summary: 'The reports, newest first, with cursor pagination',
      parameters: queryParameters(reportListQuery),
      responses: responses({ '200': { description: 'A page', ...page(reportView) }, ...notModified, '400': problem('Invalid parameter'), '404': problem('No reports for this tenant') }),
    },
  },
  '/v1/reports/{id}': {
    get: {
      summary: 'A report: status, stage, progress, its files (format, bytes, sha256, url) or its error',
      parameters: [reportIdParameter],
      responses: responses({ '200': { description: 'The report', ...json(reportView) }, ...notModified, '400': problem('Not a report id'), '404': problem('No such report') }),
    },
  },
  '/v1/reports/{id}/cancel': {
    post: {
      summary: 'Cancel a report: its workflow stops, records `cancelled` and removes any files written',
      parameters: [reportIdParameter],
      responses: responses({
        '202': { description: 'Cancellation asked', ...json(accepted) },
        '400': problem('Not a report id'),
        '404': problem('No such report'),
        '409': problem('The report has finished already'),
      }),
    },
  },
  '/v1/reports/{id}/artifacts/{format}': {
    get: {
      summary: 'A report’s file, as an attachment named after its title (RFC 5987 filename*); ETag is its sha256',
      parameters: [reportIdParameter, { name: 'format', in: 'path', required: true, schema: { type: 'string', enum: [...REPORT_FORMATS] } }],
      responses: responses({
        '200': {
          description: 'The file',
          content: Object.fromEntries(['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/pdf', 'text/csv', 'application/json'].map((t) => [t, { schema: { type: 'string', format: 'binary' } }])),
        },
        ...notModified,
        '400': problem('Not a report id'),
        '404': problem('No such report, or it has no file of this format'),
        '409': problem('The report has not succeeded (yet)'),
      }),
    },
  },
  '/v1/report-templates': {
    post: {
      summary: 'Save a report template with parameters',
      description: templateDescription,
      requestBody: jsonBody(schemaOf(templateSchema, 'input')),
      responses: responses({ '201': { description: 'Created', ...json(templateView) }, ...bodyProblems, '404': problem('No reports for this tenant'), '409': problem('The name is taken') }),
    },
    get: {
      summary: 'The report templates, by id, with cursor pagination',
      parameters: queryParameters(reportListQuery),
      responses: responses({ '200': { description: 'A page', ...page(templateView) }, ...notModified, '400': problem('Invalid parameter'), '404': problem('No reports for this tenant') }),
    },
  },
  '/v1/report-templates/{id}': {
    get: {
      summary: 'A report template',
      parameters: [templateIdParameter],
      responses: responses({ '200': { description: 'The template', ...json(templateView) }, ...notModified, '400': problem('Not a template id'), '404': problem('No such template') }),
    },
    put: {
      summary: 'Replace a report template (reports made from it keep their resolved specs)',
      description: templateDescription,
      parameters: [templateIdParameter],
      requestBody: jsonBody(schemaOf(templateSchema, 'input')),
      responses: responses({ '200': { description: 'Replaced', ...json(templateView) }, ...bodyProblems, '404': problem('No such template'), '409': problem('The name is taken') }),
    },
    delete: {
      summary: 'Delete a report template',
      parameters: [templateIdParameter],
      responses: responses({ '204': { description: 'Deleted' }, '400': problem('Not a template id'), '404': problem('No such template') }),
    },
  },
};

/** The Schedules operations of the OpenAPI document. */
import { z } from 'zod';
import { SCHEDULE_KINDS } from '../../lib/schedules/kinds.ts';
import { REPORT_FORMATS } from '../../lib/reports/types.ts';
import { backfillSchema, SCHEDULE_ID_PATTERN, scheduleBodySchemas, scheduleListQuery } from '../schedule-schemas.ts';
import { json, jsonBody, pathId, problem, queryParameters, responses, schemaOf } from './parts.ts';

const action = z.object({ scheduledAt: z.string(), takenAt: z.string(), workflowId: z.string() });
const scheduleView = z.object({
  id: z.string(),
  kind: z.enum(SCHEDULE_KINDS),
  cron: z.string().optional(),
  timezone: z.string().optional(),
  every: z.string().optional().describe('an interval Schedule: every 15m'),
  knowledgeBaseId: z.string().optional(),
  reportId: z.string().optional(),
  recipients: z.array(z.object({ email: z.string(), name: z.string().optional() })).optional(),
  format: z.enum(REPORT_FORMATS).optional(),
  subject: z.string().optional(),
  paused: z.boolean(),
  note: z.string().nullable(),
  overlapPolicy: z.string().describe('SKIP, BUFFER_ONE …: what a firing does while the previous run is open'),
  catchupWindow: z.string().describe('how late a firing missed while the Temporal server was down is still taken (1d, 1h, 10m)'),
  recentActions: z.array(action),
  nextActionTimes: z.array(z.string()),
  counts: z.object({ actionsTaken: z.number().int(), skippedOverlap: z.number().int(), missedCatchupWindow: z.number().int() }).optional(),
  runningWorkflowIds: z.array(z.string()).optional(),
  createdAt: z.string().nullable().optional(),
});

const idParameter = pathId(SCHEDULE_ID_PATTERN, 'a schedule id');
const kindParameter = { name: 'id', in: 'path', required: true, description: 'the kind of Schedule to create', schema: { type: 'string', enum: [...SCHEDULE_KINDS] } };
const bodyProblems = { '400': problem('Invalid field, cron expression or time zone (named in errors)'), '413': problem('Body over 64 KiB'), '415': problem('Not UTF-8 JSON') };
const one = (summary: string, extra: Record<string, unknown> = {}) => ({
  post: {
    summary,
    parameters: [idParameter],
    responses: responses({ '200': { description: 'The schedule', ...json(scheduleView) }, '400': problem('Not a schedule id'), '404': problem('No such schedule'), ...extra }),
  },
});

const policies =
  'Each kind has its overlap policy and catch-up window on purpose: backup SKIP + 1d, kb-sync BUFFER_ONE + 1h, report-delivery ' +
  'SKIP + 1d, search-sync SKIP + 10m (see the README). Scopes: backup and search-sync `tenants`, kb-sync `documents:write`, ' +
  'report-delivery `reports`. A key sees only its tenant’s Schedules of the kinds its scopes cover.';

export const schedulePaths = {
  '/v1/schedules': {
    get: {
      summary: 'The caller’s Schedules, by id, with cursor pagination',
      description: policies,
      parameters: queryParameters(scheduleListQuery),
      responses: responses({
        '200': { description: 'A page', ...json(z.object({ items: z.array(scheduleView), nextCursor: z.string().nullable() })) },
        '400': problem('Invalid parameter'),
      }),
    },
  },
  '/v1/schedules/{id}': {
    post: {
      summary: 'Create a Schedule of a kind (the path names the kind): a Temporal Schedule, visible and controllable in the Web UI',
      description:
        `${policies} Bodies: backup {cron, timezone?, paused?}; kb-sync {knowledgeBaseId, cron, timezone?, paused?}; report-delivery ` +
        '{reportId, cron, timezone, recipients, format, subject, paused?} (each firing re-runs the report’s spec and emails the file); ' +
        'search-sync {cron, timezone?} or {everyMinutes}. cron: 5 fields (minute hour day-of-month month day-of-week) of digits, *, ' +
        'ranges, lists, steps and month/day names; not both day-of-month and day-of-week. A time zone defaults to ANALYTICS_TIME_ZONE.',
      parameters: [kindParameter],
      requestBody: jsonBody({ anyOf: Object.values(scheduleBodySchemas).map((s) => schemaOf(s, 'input')) }),
      responses: responses({
        '201': { description: 'Created', ...json(scheduleView) },
        ...bodyProblems,
        '404': problem('No such kind'),
        '409': problem('The tenant has its maximum number of schedules'),
      }),
    },
    get: {
      summary: 'A Schedule: its spec, state (paused, note), recent actions, next action times, overlap policy, catch-up window and counts',
      parameters: [idParameter],
      responses: responses({ '200': { description: 'The schedule', ...json(scheduleView) }, '400': problem('Not a schedule id'), '404': problem('No such schedule') }),
    },
    delete: {
      summary: 'Delete a Schedule; runs it started go on to their end',
      parameters: [idParameter],
      responses: responses({ '204': { description: 'Deleted' }, '400': problem('Not a schedule id'), '404': problem('No such schedule') }),
    },
  },
  '/v1/schedules/{id}/pause': one('Pause a Schedule: no firing until unpaused'),
  '/v1/schedules/{id}/unpause': one('Unpause a Schedule'),
  '/v1/schedules/{id}/trigger': {
    post: {
      summary: 'Fire a Schedule now, under its overlap policy (with SKIP, nothing starts while its previous run is open)',
      parameters: [idParameter],
      responses: responses({
        '202': { description: 'Triggered', ...json(z.object({ id: z.string(), status: z.literal('triggered'), overlapPolicy: z.string() })) },
        '400': problem('Not a schedule id'),
        '404': problem('No such schedule'),
      }),
    },
  },
  '/v1/schedules/{id}/backfill': {
    post: {
      summary: 'Take the firings in [from, to) now, one after another (BUFFER_ALL): a past range of at most 31 days and 50 firings',
      parameters: [idParameter],
      requestBody: jsonBody(schemaOf(backfillSchema, 'input')),
      responses: responses({
        '202': {
          description: 'Backfilling',
          ...json(z.object({ id: z.string(), status: z.literal('backfilling'), from: z.string(), to: z.string(), firings: z.number().int(), overlapPolicy: z.string() })),
        },
        ...bodyProblems,
        '404': problem('No such schedule'),
      }),
    },
  },
};

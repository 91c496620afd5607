/**
 * Shapes of the Schedules API's inputs (zod; the OpenAPI document is generated
 * from them). The cron expression's meaning and the time zone are checked by
 * lib/schedules/cron.ts, recipients by lib/email/addresses.ts, and the report or
 * knowledge base named must be the caller's: each a 400 naming its field.
 */
import { z } from 'zod';
import { EMAIL_LIMITS } from '../lib/email/types.ts';
import { SCHEDULE_KINDS, SCHEDULE_LIMITS } from '../lib/schedules/kinds.ts';
import { REPORT_FORMATS } from '../lib/reports/types.ts';
import { reportId } from './report-schemas.ts';
import { knowledgeBaseId, listQuery } from './schemas.ts';

/** Schedule ids: the generated `<kind>-<12 hex>`, and named ones such as npm start's `backup-nightly`. */
export const SCHEDULE_ID_PATTERN = '^[a-z0-9][a-z0-9._-]{0,127}$';
export const scheduleId = z.string().regex(new RegExp(SCHEDULE_ID_PATTERN), 'a schedule id: lower-case letters, digits, ., _ and -');
export const scheduleKind = z.enum(SCHEDULE_KINDS);

const cron = z.string().min(1).max(100).describe('5 fields: minute hour day-of-month month day-of-week (e.g. `0 2 * * *`)');
const timezone = z.string().min(1).max(64).describe('IANA time zone, e.g. Asia/Shanghai; default ANALYTICS_TIME_ZONE');
const paused = z.boolean().optional().describe('create it paused');

export const backupScheduleSchema = z.strictObject({ cron, timezone: timezone.optional(), paused });

export const kbSyncScheduleSchema = z.strictObject({ knowledgeBaseId, cron, timezone: timezone.optional(), paused });

const recipient = z.union([
  z.string().min(3).max(320).describe('"a@b.c" or "Name <a@b.c>"'),
  z.strictObject({ name: z.string().max(200).optional(), email: z.string().min(3).max(254) }),
]);

export const reportDeliveryScheduleSchema = z.strictObject({
  reportId,
  cron,
  timezone,
  recipients: z.array(recipient).min(1, 'at least one recipient').max(SCHEDULE_LIMITS.recipients),
  format: z.enum(REPORT_FORMATS),
  subject: z.string().min(1).max(EMAIL_LIMITS.subjectChars),
  paused,
});

export const searchSyncScheduleSchema = z
  .strictObject({
    cron: cron.optional(),
    timezone: timezone.optional(),
    everyMinutes: z.number().int().min(1).max(1440).optional(),
    paused,
  })
  .superRefine((v, ctx) => {
    if ((v.cron === undefined) === (v.everyMinutes === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give either cron or everyMinutes' });
    }
    if (v.everyMinutes !== undefined && v.timezone !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['timezone'], message: 'a time zone applies to cron only' });
    }
  });

export const scheduleBodySchemas = {
  backup: backupScheduleSchema,
  'kb-sync': kbSyncScheduleSchema,
  'report-delivery': reportDeliveryScheduleSchema,
  'search-sync': searchSyncScheduleSchema,
} as const;

/** POST /v1/schedules/:id/backfill: the firings in [from, to) are taken now. */
export const backfillSchema = z.strictObject({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
});

export const scheduleListQuery = z.strictObject({ kind: scheduleKind.optional(), limit: listQuery.shape.limit, cursor: listQuery.shape.cursor });
export const scheduleCursor = z.object({ id: scheduleId });

/**
 * What the API does with Schedules: check a request in full (cron and time zone,
 * recipients, the report or knowledge base named), then create or act on the
 * Temporal Schedule through client/schedules.ts. A key sees only its tenant's
 * Schedules, and only the kinds its scopes cover; anything else is as absent as a
 * missing one (404), so an answer never tells what another tenant has.
 */
import type { ManagedSchedule, ScheduleControl, ScheduleParams, ScheduleTiming } from '../../client/schedules.ts';
import type { Database } from '../../lib/db/index.ts';
import { headerTextProblem, parseMailbox } from '../../lib/email/addresses.ts';
import type { Mailbox } from '../../lib/email/types.ts';
import { getKnowledgeBase } from '../../lib/knowledge-bases/repository.ts';
import { getReport } from '../../lib/reports/repository.ts';
import { cronProblems, firingsBetween } from '../../lib/schedules/cron.ts';
import { SCHEDULE_LIMITS, type ScheduleKind } from '../../lib/schedules/kinds.ts';
import { HttpProblem, type FieldError } from '../problem.ts';
import { backfillSchema, scheduleBodySchemas } from '../schedule-schemas.ts';
import { parseInput } from '../validate.ts';

export interface ScheduleServiceDeps {
  db: Database;
  control: ScheduleControl;
  /** ANALYTICS_TIME_ZONE: a cron without a time zone is read in it. */
  timeZone: string;
}

/** Which kinds the caller's key may see and manage. */
export type KindAccess = (kind: ScheduleKind) => boolean;

const notFound = (id: string) => new HttpProblem(404, 'Not found', `no schedule ${id}`, { code: 'E_SCHEDULE_NOT_FOUND' });
const fail = (errors: FieldError[]) => {
  if (errors.length) throw HttpProblem.invalid(errors);
};
const DAY = 86_400_000;

function cronTiming(cron: string, timezone: string): ScheduleTiming {
  fail(cronProblems(cron, timezone));
  return { cron: cron.trim().split(/\s+/).join(' '), timezone };
}

function recipientsOf(inputs: (string | { name?: string; email: string })[]): Mailbox[] {
  const errors: FieldError[] = [];
  const mailboxes: Mailbox[] = [];
  for (const [i, input] of inputs.entries()) {
    const parsed = parseMailbox(input);
    if ('problem' in parsed) errors.push({ field: `recipients.${i}${parsed.problem.part ? `.${parsed.problem.part}` : ''}`, detail: parsed.problem.detail });
    else mailboxes.push(parsed.mailbox);
  }
  fail(errors);
  return mailboxes;
}

/** Milliseconds of an interval timing (`15m`, `30s`, `1h`), for counting a backfill's firings. */
const intervalMs = (every: string) => {
  const m = /^(\d+)(s|m|h)$/.exec(every);
  return m ? Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'] : Number.NaN;
};

/** Firings of an interval Schedule in [from, to): Temporal counts intervals from the Unix epoch. */
function intervalFirings(from: number, to: number, every: number): number {
  const first = Math.ceil(from / every) * every;
  return first < to ? Math.floor((to - 1 - first) / every) + 1 : 0;
}

export function createScheduleService({ db, control, timeZone }: ScheduleServiceDeps) {
  async function own(tenant: string, id: string, may: KindAccess): Promise<ManagedSchedule> {
    const schedule = await control.get(tenant, id);
    if (!schedule || !may(schedule.kind)) throw notFound(id);
    return schedule;
  }

  /** The body of POST /v1/schedules/:kind, checked, as the timing and action parameters. */
  async function checked(tenant: string, kind: ScheduleKind, body: unknown): Promise<{ timing: ScheduleTiming; params: ScheduleParams; paused?: boolean }> {
    switch (kind) {
      case 'backup': {
        const b = parseInput(scheduleBodySchemas.backup, body);
        return { timing: cronTiming(b.cron, b.timezone ?? timeZone), params: { kind }, paused: b.paused };
      }
      case 'kb-sync': {
        const b = parseInput(scheduleBodySchemas['kb-sync'], body);
        const timing = cronTiming(b.cron, b.timezone ?? timeZone);
        const kb = await getKnowledgeBase(db, tenant, b.knowledgeBaseId);
        if (!kb || kb.status !== 'active') fail([{ field: 'knowledgeBaseId', detail: `no knowledge base ${b.knowledgeBaseId}` }]);
        return { timing, params: { kind, knowledgeBaseId: b.knowledgeBaseId }, paused: b.paused };
      }
      case 'report-delivery': {
        const b = parseInput(scheduleBodySchemas['report-delivery'], body);
        const timing = cronTiming(b.cron, b.timezone);
        const subjectProblem = headerTextProblem(b.subject);
        fail(subjectProblem ? [{ field: 'subject', detail: subjectProblem }] : []);
        const recipients = recipientsOf(b.recipients);
        if (!(await getReport(db, tenant, b.reportId))) fail([{ field: 'reportId', detail: `no report ${b.reportId}` }]);
        return { timing, params: { kind, reportId: b.reportId, recipients, format: b.format, subject: b.subject }, paused: b.paused };
      }
      case 'search-sync': {
        const b = parseInput(scheduleBodySchemas['search-sync'], body);
        const timing = b.cron !== undefined ? cronTiming(b.cron, b.timezone ?? timeZone) : { every: `${b.everyMinutes}m` };
        return { timing, params: { kind }, paused: b.paused };
      }
    }
  }

  return {
    async create(tenant: string, kind: ScheduleKind, body: unknown): Promise<ManagedSchedule> {
      const request = await checked(tenant, kind, body);
      if ((await control.list(tenant)).length >= SCHEDULE_LIMITS.perTenant) {
        throw new HttpProblem(409, 'Conflict', `a tenant has at most ${SCHEDULE_LIMITS.perTenant} schedules; delete one first`, { code: 'E_SCHEDULE_LIMIT' });
      }
      return control.create({ tenant, ...request });
    },

    /** The caller's Schedules of the kinds it may see, by id; `after` is the previous page's last id. */
    async list(tenant: string, may: KindAccess, page: { kind?: ScheduleKind; limit: number; after?: string }) {
      const all = (await control.list(tenant)).filter((s) => may(s.kind) && (!page.kind || s.kind === page.kind) && (!page.after || s.id > page.after));
      const items = all.slice(0, page.limit);
      return { items, next: all.length > page.limit ? items.at(-1)!.id : undefined };
    },

    get: own,

    async pause(tenant: string, id: string, may: KindAccess): Promise<ManagedSchedule> {
      await own(tenant, id, may);
      if (!(await control.pause(tenant, id))) throw notFound(id);
      return own(tenant, id, may);
    },

    async unpause(tenant: string, id: string, may: KindAccess): Promise<ManagedSchedule> {
      await own(tenant, id, may);
      if (!(await control.unpause(tenant, id))) throw notFound(id);
      return own(tenant, id, may);
    },

    async trigger(tenant: string, id: string, may: KindAccess): Promise<ManagedSchedule> {
      const schedule = await own(tenant, id, may);
      if (!(await control.trigger(tenant, id))) throw notFound(id);
      return schedule;
    },

    /**
     * Takes the firings in [from, to) now, one after another: the range is in the
     * past, at most 31 days, and holds 1 to 50 firings (each a full run).
     */
    async backfill(tenant: string, id: string, may: KindAccess, body: unknown, now = new Date()): Promise<{ schedule: ManagedSchedule; from: string; to: string; firings: number }> {
      const b = parseInput(backfillSchema, body);
      const from = new Date(b.from);
      const to = new Date(b.to);
      if (to <= from) fail([{ field: 'to', detail: 'must be after from' }]);
      if (to.getTime() - from.getTime() > SCHEDULE_LIMITS.backfillMaxDays * DAY) fail([{ field: 'to', detail: `at most ${SCHEDULE_LIMITS.backfillMaxDays} days after from` }]);
      if (to > now) fail([{ field: 'to', detail: 'must not be in the future: a backfill takes firings that have passed' }]);
      const schedule = await own(tenant, id, may);
      const max = SCHEDULE_LIMITS.backfillMaxFirings;
      const firings =
        'cron' in schedule.timing
          ? firingsBetween(schedule.timing.cron, schedule.timing.timezone, from, to, max).length
          : intervalFirings(from.getTime(), to.getTime(), intervalMs(schedule.timing.every));
      if (!(firings >= 1)) fail([{ field: 'from', detail: 'the schedule has no firing between from and to' }]);
      if (firings > max) fail([{ field: 'to', detail: `more than ${max} firings in the range; backfill a shorter one` }]);
      if (!(await control.backfill(tenant, id, from, to))) throw notFound(id);
      return { schedule, from: from.toISOString(), to: to.toISOString(), firings };
    },

    async remove(tenant: string, id: string, may: KindAccess): Promise<void> {
      await own(tenant, id, may);
      if (!(await control.delete(tenant, id))) throw notFound(id);
    },
  };
}

export type ScheduleService = ReturnType<typeof createScheduleService>;

/**
 * Cron expressions and time zones of Schedules, checked before they reach Temporal:
 * five fields (minute hour day-of-month month day-of-week), in the subset that means
 * the same to cron-parser (which previews and counts firings here) and to the
 * Temporal server (which fires them). Problems name `cron` or `timezone`.
 */
import { CronExpressionParser } from 'cron-parser';

export interface CronProblem {
  field: 'cron' | 'timezone';
  detail: string;
}

const FIELDS = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;
/** Digits, `*`, ranges, lists and steps; names (jan, mon) only where they mean something. */
const NUMERIC = /^[0-9*,/-]+$/;
const NAMED = /^(?:[0-9*,/-]|[A-Za-z]{3})+$/;
const SHAPE = '5 fields (minute hour day-of-month month day-of-week) of digits, *, ranges a-b, lists a,b and steps /n';

/** Whether Intl knows the IANA zone (the same check as ANALYTICS_TIME_ZONE's). */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** What is wrong with `cron` in `timezone`, field by field; empty when both are good. */
export function cronProblems(cron: string, timezone: string): CronProblem[] {
  const problems: CronProblem[] = [];
  const zoneOk = isTimeZone(timezone);
  if (!zoneOk) problems.push({ field: 'timezone', detail: `${JSON.stringify(timezone)} is not an IANA time zone such as UTC or Asia/Shanghai` });
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return [...problems, { field: 'cron', detail: `expected ${SHAPE}; got ${fields.length} field(s)` }];
  for (const [i, value] of fields.entries()) {
    const allowed = i >= 3 ? NAMED : NUMERIC;
    if (!allowed.test(value)) problems.push({ field: 'cron', detail: `the ${FIELDS[i]} field ${JSON.stringify(value)}: expected ${SHAPE}` });
  }
  // Cron ORs a restricted day-of-month with a restricted day-of-week, Temporal ANDs them: refuse the ambiguity.
  if (fields[2] !== '*' && fields[4] !== '*') {
    problems.push({ field: 'cron', detail: 'restrict day-of-month or day-of-week, not both (cron and Temporal read that combination differently)' });
  }
  if (problems.some((p) => p.field === 'cron')) return problems;
  try {
    CronExpressionParser.parse(`0 ${fields.join(' ')}`, { strict: true, tz: zoneOk ? timezone : 'UTC' });
  } catch (error) {
    problems.push({ field: 'cron', detail: (error as Error).message });
  }
  return problems;
}

/** The next `count` firings of a checked expression after `from`, as Temporal will take them. */
export function nextFirings(cron: string, timezone: string, from: Date, count: number): Date[] {
  const expression = CronExpressionParser.parse(`0 ${cron.trim()}`, { strict: true, tz: timezone, currentDate: from });
  return Array.from({ length: count }, () => expression.next().toDate());
}

/**
 * The firings in [from, to), stopping after `max + 1` so a caller can tell "more
 * than max" without walking a year of minutes.
 */
export function firingsBetween(cron: string, timezone: string, from: Date, to: Date, max: number): Date[] {
  const expression = CronExpressionParser.parse(`0 ${cron.trim()}`, { strict: true, tz: timezone, currentDate: new Date(from.getTime() - 1) });
  const found: Date[] = [];
  while (found.length <= max) {
    const next = expression.next().toDate();
    if (next >= to) break;
    found.push(next);
  }
  return found;
}

/**
 * Relative date ranges for report templates, resolved to inclusive calendar dates
 * `[from, to]` in the analytics time zone, from the day the report is submitted:
 * - `last_7_days`, `last_30_days`: the N whole days before today (today excluded: it is not over);
 * - `last_month`, `last_quarter`, `last_year`: the previous calendar month, quarter, year;
 * - `this_month`, `this_quarter`, `this_year`: the whole current month, quarter, year;
 * - `month_to_date`, `year_to_date`: from the first day of this month / year through today.
 * A range resolves to `[from, to]`, which is what a `between` filter takes, and
 * its ends serve as the dates of a forecast or anomaly range.
 */
export const RELATIVE_RANGES = [
  'last_7_days',
  'last_30_days',
  'last_month',
  'last_quarter',
  'last_year',
  'this_month',
  'this_quarter',
  'this_year',
  'month_to_date',
  'year_to_date',
] as const;
export type RelativeRange = (typeof RELATIVE_RANGES)[number];

/** Today's date `YYYY-MM-DD` in `timeZone` (the day the ERP's timestamps are cut by). */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

const ymd = (d: Date) => d.toISOString().slice(0, 10);
/** A calendar date as UTC midnight: date arithmetic only, the time zone was applied by `todayIn`. */
const utc = (y: number, m: number, d: number) => new Date(Date.UTC(y, m, d));

/** The range `name` resolves to on `today` (a `YYYY-MM-DD` date). */
export function resolveRelativeRange(name: RelativeRange, today: string): [string, string] {
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const month = m - 1;
  const quarterStart = month - (month % 3);
  switch (name) {
    case 'last_7_days':
      return [ymd(utc(y, month, d - 7)), ymd(utc(y, month, d - 1))];
    case 'last_30_days':
      return [ymd(utc(y, month, d - 30)), ymd(utc(y, month, d - 1))];
    case 'last_month':
      return [ymd(utc(y, month - 1, 1)), ymd(utc(y, month, 0))];
    case 'last_quarter':
      return [ymd(utc(y, quarterStart - 3, 1)), ymd(utc(y, quarterStart, 0))];
    case 'last_year':
      return [`${y - 1}-01-01`, `${y - 1}-12-31`];
    case 'this_month':
      return [ymd(utc(y, month, 1)), ymd(utc(y, month + 1, 0))];
    case 'this_quarter':
      return [ymd(utc(y, quarterStart, 1)), ymd(utc(y, quarterStart + 3, 0))];
    case 'this_year':
      return [`${y}-01-01`, `${y}-12-31`];
    case 'month_to_date':
      return [ymd(utc(y, month, 1)), today];
    case 'year_to_date':
      return [`${y}-01-01`, today];
  }
}

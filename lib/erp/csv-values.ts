/**
 * One CSV cell to the value its column holds, or the reason it cannot be. The
 * checks say in words what PostgreSQL would refuse (and a few things it would
 * take but an ERP should not: Feb 30, negative prices), so a bad file is
 * reported row by row before anything is written.
 */
import { ORDER_STATUSES, type ColumnSpec } from './tables.ts';

export type CellResult = { value: string | number | null } | { error: string };

const INT4_MAX = 2_147_483_647;
const MONEY = /^[+-]?\d{1,10}(\.\d{1,2})?$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** An ISO 8601 date or date-time; without a zone it is UTC. Answers the instant in ISO form. */
function timestamp(text: string): string | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z'] = m;
  const calendar = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (calendar.getUTCFullYear() !== Number(y) || calendar.getUTCMonth() !== Number(mo) - 1 || calendar.getUTCDate() !== Number(d)) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${fraction.slice(0, 4)}${offset}`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export function readCell(spec: ColumnSpec, raw: string): CellResult {
  const text = raw.trim();
  if (text === '') return spec.required ? { error: 'a value is required' } : { value: null };
  if (text.includes('\u0000')) return { error: 'contains a NUL character' };
  switch (spec.type) {
    case 'text':
      if (spec.maxLength && [...text].length > spec.maxLength) return { error: `longer than ${spec.maxLength} characters` };
      return { value: text };
    case 'status':
      return (ORDER_STATUSES as readonly string[]).includes(text)
        ? { value: text }
        : { error: `expected one of ${ORDER_STATUSES.join(', ')}` };
    case 'int': {
      if (!/^[+-]?\d{1,10}$/.test(text) || Math.abs(Number(text)) > INT4_MAX) return { error: 'expected a whole number' };
      const n = Number(text);
      return spec.min !== undefined && n < spec.min ? { error: `must be at least ${spec.min}` } : { value: n };
    }
    case 'money': {
      if (!MONEY.test(text)) return { error: 'expected an amount with at most 10 digits before the point and 2 after' };
      return spec.min !== undefined && Number(text) < spec.min ? { error: `must be at least ${spec.min}` } : { value: text };
    }
    case 'timestamptz': {
      const value = timestamp(text);
      return value ? { value } : { error: 'expected an ISO 8601 date or date-time, e.g. 2025-03-01 or 2025-03-01T09:30:00+08:00' };
    }
  }
}

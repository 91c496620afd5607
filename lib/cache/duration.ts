import { CacheOptionsError } from './errors.ts';

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration as milliseconds or a string such as `'250ms'`, `'30s'`, `'5m'`, `'1h'`, `'2d'`. */
export type Duration = number | string;

/**
 * Normalizes a duration to milliseconds once, at construction, so the hot path
 * only ever sees numbers. The error names the option so a bad config is found fast.
 */
export function toMs(option: string, value: Duration): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(value);
    if (match) return Number(match[1]) * units[match[2]!]!;
  }
  throw new CacheOptionsError(
    `cache option "${option}" must be a non-negative number of milliseconds or a string like '30s' or '5m' (got ${JSON.stringify(value)})`,
  );
}

import { CHART_LIMITS } from './input.ts';

/**
 * Text as a chart draws it. ECharts escapes `<`, `&` and quotes when it writes
 * SVG; what is left to us is length (a 10 kB label would cover the chart) and
 * control characters (invalid in XML 1.0: resvg refuses the whole document).
 */
export function cleanText(value: unknown, max: number = CHART_LIMITS.label): string {
  const text = String(value ?? '')
    .replace(/[\u0000-\u001f\u007f-\u009f\ufffe\uffff]/g, ' ')
    // Lone surrogates are invalid XML too.
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export const cleanTitle = (title: string): string => cleanText(title, CHART_LIMITS.title);

const full = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2 });
const compact = new Intl.NumberFormat('zh-CN', { notation: 'compact', maximumFractionDigits: 2 });

/** A value as a reader reads it: thousands separators, at most two decimals ("1,234,567.89"). */
export function formatValue(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : full.format(value);
}

/** An axis tick: short, in 万 and 亿 from ten thousand up ("1.23亿"). */
export function formatTick(value: number): string {
  return Math.abs(value) >= 10_000 ? compact.format(value) : full.format(value);
}

/** A finite number, or null: query values may be numeric strings, booleans or null. */
export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

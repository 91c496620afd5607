import { datasetOf, fieldOf, GRAIN_LABELS } from '../../analytics/catalog.ts';
import { TIME_GRAINS, type Measure, type TimeGrain, type Value } from '../../analytics/types.ts';

/** Chinese labels for a report's names, from the catalog, so that charts read "收入 按 地区" and not "sum_revenue by region". */

const isGrainName = (name: string): name is TimeGrain => (TIME_GRAINS as readonly string[]).includes(name);

export function dimensionLabel(source: string, name: string): string {
  if (isGrainName(name)) return GRAIN_LABELS[name].zh;
  const dataset = datasetOf(source);
  return (dataset && fieldOf(dataset, name)?.label.zh) ?? name;
}

export const measureColumn = (m: Measure): string => m.as ?? `${m.agg}_${m.field}`;

// Where the aggregation goes in the label: "平均收入", "收入 P90", "客户 去重计数"; a sum is the field's own name.
const AGG_PREFIX: Partial<Record<Measure['agg'], string>> = { avg: '平均', min: '最小', max: '最大' };
const AGG_SUFFIX: Partial<Record<Measure['agg'], string>> = {
  count: ' 计数', count_distinct: ' 去重计数', p50: ' 中位数', p90: ' P90', p95: ' P95', p99: ' P99',
};

/** The label of a measure column; its name when it is not one of the report's measures, or when two share a label. */
export function measureLabel(source: string, measures: Measure[], column: string): string {
  const labelOf = (m: Measure): string => {
    const dataset = datasetOf(source);
    const field = (dataset && fieldOf(dataset, m.field)?.label.zh) ?? m.field;
    return `${AGG_PREFIX[m.agg] ?? ''}${field}${AGG_SUFFIX[m.agg] ?? ''}`;
  };
  const measure = measures.find((m) => measureColumn(m) === column);
  if (!measure) return column;
  const label = labelOf(measure);
  return measures.filter((m) => labelOf(m) === label).length > 1 ? `${label}（${column}）` : label;
}

const WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/** A dimension's value as a label: periods by their grain ("2025-03", "2025 Q1", "周一"), null as "（空）". */
export function valueLabel(value: Value, grain?: string): string {
  if (value === null || value === undefined) return '（空）';
  if (grain === 'weekday' && typeof value === 'number') return WEEKDAYS[value - 1] ?? String(value);
  const text = String(value);
  const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!date || grain === undefined || !isGrainName(grain)) return text;
  const [, y, m, d] = date;
  switch (grain) {
    case 'year': return y!;
    case 'quarter': return `${y} Q${Math.floor((Number(m) - 1) / 3) + 1}`;
    case 'month': return `${y}-${m}`;
    default: return `${y}-${m}-${d}`;
  }
}

export const grainLabel = (grain: string): string => (isGrainName(grain) ? GRAIN_LABELS[grain].zh : grain);

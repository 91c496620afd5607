import { datasetOf, fieldOf, GRAIN_LABELS } from '../../analytics/catalog.ts';
import { TIME_GRAINS, type Aggregation, type Column, type Filter, type FilterOp, type Measure, type Scalar } from '../../analytics/types.ts';
import type { ReportContent } from '../types.ts';

/**
 * Words every format shares: Chinese labels of columns, filters and report
 * sections, so the workbook, the PDF and the summary say the same thing.
 * Labels come from the catalog; a name the catalog does not know is shown as is.
 */

const AGG_LABELS: Record<Aggregation, string> = {
  sum: '合计', count: '计数', avg: '平均', min: '最小', max: '最大', count_distinct: '去重计数',
  p50: '中位数', p90: 'P90', p95: 'P95', p99: 'P99',
};

const OP_LABELS: Record<FilterOp, string> = {
  eq: '等于', ne: '不等于', in: '属于', not_in: '不属于', gt: '大于', gte: '大于等于',
  lt: '小于', lte: '小于等于', between: '介于', contains: '包含',
};

export const WORDS = {
  title: '标题', source: '数据源', filters: '筛选条件', generatedAt: '生成时间', rows: '行数', none: '无',
  truncated: '结果超过行数上限，仅含前 {n} 行', subtotal: '小计', total: '总计', data: '数据', pivot: '透视表',
  forecast: '预测', anomalies: '异常', charts: '图表', summary: '摘要', period: '期间', actual: '实际值',
  predicted: '预测值', lower: '下限', upper: '上限', expected: '预期值', score: '得分', direction: '方向',
  reason: '原因', method: '方法', spike: '激增', drop: '骤降', level: '区间水平',
} as const;

export const SHARE_LABELS = { row: '占行比', column: '占列比', total: '占总比' } as const;

const WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/** The column name a measure gets: its `as`, or `<agg>_<field>`. */
export function measureName(m: Measure): string {
  return m.as ?? `${m.agg}_${m.field}`;
}

/** Label of a field or grain of `source` in Chinese. */
export function fieldLabel(source: string, name: string): string {
  if ((TIME_GRAINS as readonly string[]).includes(name)) return GRAIN_LABELS[name as keyof typeof GRAIN_LABELS].zh;
  const dataset = datasetOf(source);
  const field = dataset ? fieldOf(dataset, name) : undefined;
  return field?.label.zh ?? name;
}

/**
 * Header label of a result column: a dimension by its field's label; a measure as
 * "<field label> <aggregation>" (收入 合计), with its own name when the analyst gave one.
 */
export function columnLabel(content: Pick<ReportContent, 'source' | 'measures'>, name: string): string {
  const measure = content.measures.find((m) => measureName(m) === name);
  if (!measure) return fieldLabel(content.source, name);
  const label = `${fieldLabel(content.source, measure.field)} ${AGG_LABELS[measure.agg]}`;
  return measure.as ? `${label}（${measure.as}）` : label;
}

export function sourceLabel(source: string): string {
  const dataset = datasetOf(source);
  return dataset ? `${dataset.label.zh}（${source}）` : source;
}

function scalarWords(value: Scalar): string {
  return value === null ? '空' : typeof value === 'string' ? `“${value}”` : String(value);
}

/** A filter in words: 状态 等于 “paid”; 下单时间 介于 2025-01-01 和 2025-12-31. */
export function filterWords(source: string, filter: Filter): string {
  const field = fieldLabel(source, filter.field);
  const op = OP_LABELS[filter.op] ?? filter.op;
  const values = Array.isArray(filter.value) ? filter.value : [filter.value];
  const words = filter.op === 'between' && values.length === 2
    ? `${scalarWords(values[0]!)} 和 ${scalarWords(values[1]!)}`
    : values.map(scalarWords).join('、');
  return `${field} ${op} ${words}`;
}

export function filtersWords(source: string, filters: Filter[]): string[] {
  return filters.length === 0 ? [WORDS.none] : filters.map((f) => filterWords(source, f));
}

const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });

/** How a value reads on paper (PDF): grouped digits, cents for money, 周一 for weekday 1. */
export function displayValue(column: Pick<Column, 'name' | 'type'>, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (column.name === 'weekday' && Number.isInteger(value) && value >= 1 && value <= 7) return WEEKDAYS[value - 1]!;
    if (column.type === 'money') return money.format(value);
    if (column.type === 'integer') return integer.format(value);
    return decimal.format(value);
  }
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (column.type === 'timestamp' && typeof value === 'string') return value.replace('T', ' ').replace(/\.\d+/, '').replace(/Z$/, ' UTC');
  return String(value);
}

/** How the forecast's backtest compares with the seasonal-naive baseline, in words. */
export function backtestVerdict(backtest: { smape: number; baseline: { smape: number } }): string {
  const gain = backtest.baseline.smape > 0 ? 1 - backtest.smape / backtest.baseline.smape : 0;
  return gain > 0 ? `误差比基线低 ${(gain * 100).toFixed(1)}%` : `未优于基线（误差高 ${(-gain * 100).toFixed(1)}%）`;
}

/** A key tuple of a pivot's column, e.g. 华东 / 2025-01-01. */
export function keyWords(key: unknown[]): string {
  return key.map((v) => (v === null || v === undefined ? '（空）' : String(v))).join(' / ');
}

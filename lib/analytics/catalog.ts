import { AGGREGATIONS, TIME_GRAINS, type Aggregation, type ColumnType, type TimeGrain } from './types.ts';

/**
 * The dataset catalog: every source, field and join a query may name, with the
 * SQL each stands for. It is the only source of SQL identifiers in analytics:
 * a request selects entries here by name, and its values travel as parameters.
 * The SQL below is written by us over the ERP tables (lib/db/migrations/005_erp.sql).
 */
export interface FieldDef {
  name: string;
  label: { en: string; zh: string };
  /** Type of one row's value (and of min/max over it). */
  type: ColumnType;
  /** Trusted SQL over the dataset's aliases. */
  sql: string;
  /** Joins (keys of `Dataset.joins`) the SQL needs. */
  joins: readonly string[];
  /** May be grouped by (a dimension). */
  dimension: boolean;
  /** Aggregations it takes as a measure; empty: not a measure. */
  aggregations: readonly Aggregation[];
}

export interface Dataset {
  name: string;
  label: { en: string; zh: string };
  description: string;
  /** `from` clause: the base table and its alias. */
  from: string;
  /** Join clauses by name, added only when a chosen field needs them. */
  joins: Record<string, string>;
  /** The field that orders drill-down rows and keys them (unique). */
  key: string;
  /** The field the time grains (`day` … `weekday`) truncate; absent: no grains. */
  timeField?: string;
  fields: readonly FieldDef[];
}

const NUMERIC: readonly Aggregation[] = AGGREGATIONS;
const TEXT: readonly Aggregation[] = ['count', 'count_distinct', 'min', 'max'];
const TIME: readonly Aggregation[] = ['count', 'count_distinct', 'min', 'max'];

const text = (name: string, en: string, zh: string, sql: string, joins: string[] = [], dimension = true): FieldDef => ({
  name, label: { en, zh }, type: 'string', sql, joins, dimension, aggregations: TEXT,
});

const orders: Dataset = {
  name: 'orders',
  label: { en: 'Orders', zh: '订单' },
  description: 'One row per order line: a customer bought a quantity of one product at a unit price.',
  from: 'orders o',
  // Left joins: an order whose customer or product is missing still counts in every total.
  joins: {
    customers: 'left join customers c on c.id = o.customer_id',
    products: 'left join products p on p.sku = o.sku',
  },
  key: 'id',
  timeField: 'ordered_at',
  fields: [
    text('id', 'Order', '订单号', 'o.id', [], false),
    { name: 'revenue', label: { en: 'Revenue', zh: '收入' }, type: 'money', sql: '(o.quantity * o.unit_price)', joins: [], dimension: false, aggregations: NUMERIC },
    { name: 'quantity', label: { en: 'Quantity', zh: '数量' }, type: 'integer', sql: 'o.quantity', joins: [], dimension: false, aggregations: NUMERIC },
    { name: 'unit_price', label: { en: 'Unit price', zh: '单价' }, type: 'money', sql: 'o.unit_price', joins: [], dimension: false, aggregations: NUMERIC },
    text('status', 'Status', '状态', 'o.status'),
    { name: 'ordered_at', label: { en: 'Ordered at', zh: '下单时间' }, type: 'timestamp', sql: 'o.ordered_at', joins: [], dimension: false, aggregations: TIME },
    text('region', 'Region', '地区', 'c.region', ['customers']),
    text('segment', 'Segment', '客户类型', 'c.segment', ['customers']),
    text('customer', 'Customer', '客户', 'c.name', ['customers']),
    text('customer_id', 'Customer id', '客户编号', 'o.customer_id'),
    text('category', 'Category', '品类', 'p.category', ['products']),
    text('product', 'Product', '产品', 'p.name', ['products']),
    text('sku', 'SKU', 'SKU', 'o.sku'),
  ],
};

const customers: Dataset = {
  name: 'customers',
  label: { en: 'Customers', zh: '客户' },
  description: 'One row per customer.',
  from: 'customers c',
  joins: {},
  key: 'id',
  timeField: 'created_at',
  fields: [
    text('id', 'Customer id', '客户编号', 'c.id', [], false),
    text('name', 'Name', '名称', 'c.name'),
    text('region', 'Region', '地区', 'c.region'),
    text('segment', 'Segment', '客户类型', 'c.segment'),
    { name: 'created_at', label: { en: 'Created at', zh: '创建时间' }, type: 'timestamp', sql: 'c.created_at', joins: [], dimension: false, aggregations: TIME },
  ],
};

const products: Dataset = {
  name: 'products',
  label: { en: 'Products', zh: '产品' },
  description: 'One row per product (SKU).',
  from: 'products p',
  joins: {},
  key: 'sku',
  fields: [
    text('sku', 'SKU', 'SKU', 'p.sku', [], false),
    text('name', 'Name', '名称', 'p.name'),
    text('category', 'Category', '品类', 'p.category'),
    { name: 'unit_price', label: { en: 'Unit price', zh: '单价' }, type: 'money', sql: 'p.unit_price', joins: [], dimension: false, aggregations: NUMERIC },
  ],
};

export const DATASETS: Readonly<Record<string, Dataset>> = { orders, customers, products };

export const GRAIN_LABELS: Record<TimeGrain, { en: string; zh: string }> = {
  day: { en: 'Day', zh: '日' },
  week: { en: 'Week', zh: '周' },
  month: { en: 'Month', zh: '月' },
  quarter: { en: 'Quarter', zh: '季度' },
  year: { en: 'Year', zh: '年' },
  weekday: { en: 'Weekday', zh: '星期' },
};

/** The dataset named `name`, or undefined (own properties only: `__proto__` is no dataset). */
export function datasetOf(name: string): Dataset | undefined {
  return Object.hasOwn(DATASETS, name) ? DATASETS[name] : undefined;
}

export function fieldOf(dataset: Dataset, name: string): FieldDef | undefined {
  return dataset.fields.find((f) => f.name === name);
}

export function isGrain(dataset: Dataset, name: string): name is TimeGrain {
  return dataset.timeField !== undefined && (TIME_GRAINS as readonly string[]).includes(name);
}

/** What `GET /v1/analytics/datasets` shows of a dataset: names, labels and types, never SQL. */
export function datasetView(dataset: Dataset) {
  const grains = dataset.timeField ? [...TIME_GRAINS] : [];
  return {
    name: dataset.name,
    label: dataset.label,
    description: dataset.description,
    timeField: dataset.timeField ?? null,
    grains,
    fields: dataset.fields.map((f) => ({
      name: f.name,
      label: f.label,
      type: f.type,
      dimension: f.dimension,
      aggregations: [...f.aggregations],
    })),
    dimensions: [...dataset.fields.filter((f) => f.dimension).map((f) => f.name), ...grains],
    measures: dataset.fields.filter((f) => f.aggregations.length > 0 && f.type !== 'string' && f.type !== 'timestamp').map((f) => f.name),
  };
}

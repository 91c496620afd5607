/**
 * The company the analytics query suites ask about: a generated ERP (a few
 * thousand orders) plus hand-made rows with NULLs and LIKE wildcards in names,
 * and every order read back raw, so answers can be recomputed in JS, independently
 * of the engine's SQL: money in integer cents (BigInt), days in the time zone by Intl.
 */
import type { Database } from '../../../lib/db/index.ts';
import { loadGeneratedErp } from '../../../lib/erp/generate-load.ts';

export const TIME_ZONE = 'Asia/Shanghai';

export interface RawOrder {
  id: string;
  customer_id: string | null;
  sku: string | null;
  quantity: number | null;
  /** In cents, exact. */
  unit_price: bigint | null;
  revenue: bigint | null;
  status: string | null;
  ordered_at: number | null;
  region: string | null;
  segment: string | null;
  customer: string | null;
  category: string | null;
  product: string | null;
}

/** Rows the generator never makes: NULL in every nullable column, a customer without region, wildcards in a name. */
async function addOddRows(db: Database): Promise<void> {
  await db.query(`insert into customers (id, name, region, segment, created_at) values
    ('CZ-NULL', null, null, null, null), ('CZ-WILD', 'Acme 50%_off \\ Ltd', '华东', '企业', '2024-01-01T00:00:00Z')`);
  await db.query(`insert into orders (id, customer_id, sku, quantity, unit_price, status, ordered_at) values
    ('ZZ-001', null, null, null, null, null, null),
    ('ZZ-002', 'CZ-NULL', null, 3, 10.01, 'paid', '2025-03-01T15:59:59Z'),
    ('ZZ-003', 'CZ-WILD', null, 2, 0.05, 'refunded', '2025-03-01T16:00:00Z'),
    ('ZZ-004', 'CZ-WILD', null, 1, 99999.99, null, '2024-12-31T16:00:00Z')`);
}

const cents = (text: string | null) => (text === null ? null : BigInt(text.replace('.', '')));

export async function loadCompany(db: Database, orders = 6_000): Promise<RawOrder[]> {
  await loadGeneratedErp(db, { orders, seed: 'analytics-query', days: 730 });
  await addOddRows(db);
  return readOrders(db);
}

/** Every order with its customer's and product's fields, as plain values (numeric as text with two decimals). */
export async function readOrders(db: Database): Promise<RawOrder[]> {
  const { rows } = await db.query<Record<string, string | number | null>>(`
    select o.id, o.customer_id, o.sku, o.quantity, to_char(o.unit_price, 'FM9999999990.00') as unit_price,
           to_char(o.quantity * o.unit_price, 'FM99999999999990.00') as revenue, o.status,
           (extract(epoch from o.ordered_at) * 1000)::float8 as ordered_at,
           c.region, c.segment, c.name as customer, p.category, p.name as product
      from orders o left join customers c on c.id = o.customer_id left join products p on p.sku = o.sku`);
  return rows.map((r) => ({
    ...(r as unknown as RawOrder),
    quantity: r.quantity === null ? null : Number(r.quantity),
    unit_price: cents(r.unit_price as string | null),
    revenue: cents(r.revenue as string | null),
    ordered_at: r.ordered_at === null ? null : Number(r.ordered_at),
  }));
}

const localDay = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar date of an instant in TIME_ZONE, as YYYY-MM-DD. */
export const dayIn = (ms: number) => localDay.format(new Date(ms));

/** Periods of an instant as the engine names them (the first day), and the ISO weekday. */
export function periodOf(grain: string, ms: number | null): string | number | null {
  if (ms === null) return null;
  const day = dayIn(ms);
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const weekday = ((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1;
  switch (grain) {
    case 'day':
      return day;
    case 'week':
      return new Date(Date.UTC(y, m - 1, d - weekday + 1)).toISOString().slice(0, 10);
    case 'month':
      return `${day.slice(0, 7)}-01`;
    case 'quarter':
      return `${y}-${String(Math.floor((m - 1) / 3) * 3 + 1).padStart(2, '0')}-01`;
    case 'year':
      return `${y}-01-01`;
    case 'weekday':
      return weekday;
    default:
      throw new Error(grain);
  }
}

/** A dimension's value of an order: a field of the row or a grain of its ordered_at. */
export const dimensionOf = (order: RawOrder, name: string) =>
  name in order ? (order[name as keyof RawOrder] as string | null) : periodOf(name, order.ordered_at);

/** Cents as the JSON number the API gives (exact: the decimal text of the cents). */
export const moneyOf = (c: bigint) => Number(`${c < 0n ? '-' : ''}${(c < 0n ? -c : c) / 100n}.${String((c < 0n ? -c : c) % 100n).padStart(2, '0')}`);

/** numeric's round(x / n, 0): half away from zero. */
export function roundDiv(sum: bigint, n: bigint): bigint {
  const q = sum / n;
  const r = sum % n;
  return 2n * (r < 0n ? -r : r) >= n ? q + (sum < 0n ? -1n : 1n) : q;
}

/** percentile_cont: linear interpolation between the closest ranks. */
export function percentileCont(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = p * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/**
 * The ERP generator's model: a plan (how many customers, products and orders per
 * day, which anomalies where) made from the options alone, and the customers and
 * products it implies. Deterministic by seed: no clock, no Math.random. Orders are
 * in generate-orders.ts, writing to a database in generate-load.ts.
 */
import { CATEGORIES, companyName, productOf, REGIONS, SEGMENTS, type Region, type Segment } from './names.ts';
import { createRandom, type Random } from './random.ts';

export interface ErpGenerationOptions {
  /** Orders to make, exactly. */
  orders: number;
  /** Same seed, same data. Default `aistack`. */
  seed?: string;
  /** Days of order history, ending the day before `end`. Default 730 (two years). */
  days?: number;
  /** First day after the history (UTC date). Default 2026-01-01, so the history is 2024 and 2025. */
  end?: string;
  /** Default: one per 40 orders, at least 20. */
  customers?: number;
  /** Default: 140. */
  products?: number;
}

export interface CustomerRow { id: string; name: string; region: Region; segment: Segment; created_at: string }
export interface ProductRow { sku: string; name: string; category: string; unit_price: string }
export interface OrderRow {
  id: string;
  customer_id: string;
  sku: string;
  quantity: number;
  unit_price: string;
  status: 'paid' | 'refunded' | 'cancelled';
  ordered_at: string;
}

/** Something unusual put in the data on purpose, for reports and alerts to find. */
export type Anomaly =
  | { kind: 'outage'; date: string; detail: string }
  | { kind: 'refund_spike'; date: string; region: Region; detail: string }
  | { kind: 'price_error'; sku: string; from: string; to: string; detail: string }
  | { kind: 'large_order'; orderId: string; date: string; detail: string }
  | { kind: 'order_burst'; customerId: string; date: string; orders: number; detail: string };

export interface ErpPlan {
  seed: string;
  orders: number;
  customers: number;
  products: number;
  days: number;
  /** Midnight UTC of the first day, in ms. */
  startMs: number;
  /** Orders on each day, summing to `orders`. */
  perDay: Int32Array;
  anomalies: Anomaly[];
  /** Share of customers created before the history starts. */
  establishedShare: number;
  /** Customer growth over the history (see customersBy). */
  growth: number;
}

const DAY_MS = 86_400_000;
/** Business to business: weekdays busy, Sunday quiet (index 0 = Sunday). */
const WEEKDAY = [0.45, 1.15, 1.2, 1.2, 1.15, 1.05, 0.55];
/** Year-end budgets high, Spring Festival (February) and National Day (October) low. */
const MONTH = [0.95, 0.7, 1.05, 1.0, 0.95, 1.1, 0.9, 0.9, 1.05, 0.85, 1.2, 1.3];
/** Orders grow this much a year. */
const YEARLY_GROWTH = 1.35;

const pad = (n: number, width: number) => String(n).padStart(width, '0');
export const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** How busy day `d` is, before noise and anomalies: growth × week × season × shopping festivals. */
function dayWeight(startMs: number, d: number): number {
  const date = new Date(startMs + d * DAY_MS);
  const month = date.getUTCMonth();
  const day = date.getUTCDate();
  let w = Math.pow(YEARLY_GROWTH, d / 365) * WEEKDAY[date.getUTCDay()]! * MONTH[month]!;
  if (month === 5 && day === 18) w *= 2; // 618
  if (month === 10 && day === 11) w *= 3; // 双十一
  if (month === 9 && day <= 7) w *= 0.4; // National Day holiday
  return w;
}

export function planErp(options: ErpGenerationOptions): ErpPlan {
  const seed = options.seed ?? 'aistack';
  const orders = options.orders;
  const days = options.days ?? 730;
  if (!Number.isInteger(orders) || orders < 0) throw new RangeError('orders must be a whole number ≥ 0');
  if (!Number.isInteger(days) || days < 1 || days > 36_500) throw new RangeError('days must be a whole number from 1 to 36500');
  const endMs = Date.parse(`${options.end ?? '2026-01-01'}T00:00:00Z`);
  if (Number.isNaN(endMs)) throw new RangeError('end must be a date such as 2026-01-01');
  const startMs = endMs - days * DAY_MS;
  const customers = options.customers ?? Math.max(20, Math.ceil(orders / 40));
  const products = options.products ?? 140;
  if (!Number.isInteger(customers) || customers < 1) throw new RangeError('customers must be a whole number ≥ 1');
  if (!Number.isInteger(products) || products < CATEGORIES.length) throw new RangeError(`products must be a whole number ≥ ${CATEGORIES.length}`);

  const random = createRandom(seed).fork('calendar');
  const anomalyRandom = createRandom(seed).fork('anomalies');
  // Anomaly days sit in the middle of the history, apart from each other.
  const anomalyDay = (slot: number) => Math.min(days - 1, Math.floor(days * (0.15 + 0.14 * slot) + anomalyRandom.int(0, Math.max(0, Math.floor(days * 0.1)))));
  const outageDay = anomalyDay(0);
  const weights = new Float64Array(days);
  let total = 0;
  for (let d = 0; d < days; d++) {
    const noise = Math.exp(0.08 * random.normal());
    weights[d] = dayWeight(startMs, d) * noise * (d === outageDay && days > 1 ? 0.03 : 1);
    total += weights[d]!;
  }
  // Exactly `orders` in all: floors, then the largest remainders get one more (ties to the earlier day).
  const perDay = new Int32Array(days);
  const remainders: [number, number][] = [];
  let given = 0;
  for (let d = 0; d < days; d++) {
    const exact = (orders * weights[d]!) / total;
    perDay[d] = Math.floor(exact);
    given += perDay[d]!;
    remainders.push([exact - perDay[d]!, d]);
  }
  remainders.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let i = 0; i < orders - given; i++) perDay[remainders[i]![1]]! += 1;

  const plan: ErpPlan = { seed, orders, customers, products, days, startMs, perDay, anomalies: [], establishedShare: 0.3, growth: 1.5 };
  plan.anomalies = planAnomalies(plan, anomalyRandom, [outageDay, anomalyDay(1), anomalyDay(2), anomalyDay(3), anomalyDay(4)]);
  return plan;
}

function planAnomalies(plan: ErpPlan, random: Random, [outage, refunds, prices, large, burst]: number[]): Anomaly[] {
  const anomalies: Anomaly[] = [];
  const dayOf = (d: number) => isoDate(plan.startMs + d * DAY_MS);
  if (plan.days > 1) anomalies.push({ kind: 'outage', date: dayOf(outage!), detail: 'order intake down most of the day: about 3% of the usual orders' });
  const region = random.pick(REGIONS.filter(([r]) => r !== '海外'))[0];
  anomalies.push({ kind: 'refund_spike', date: dayOf(refunds!), region, detail: `60% of the orders from ${region} that day were refunded` });
  const sku = productSku(plan, random.int(0, plan.products - 1));
  const to = Math.min(plan.days - 1, prices! + 6);
  anomalies.push({ kind: 'price_error', sku, from: dayOf(prices!), to: dayOf(to), detail: `${sku} sold at a tenth of its price for up to a week` });
  if (plan.perDay[large!]! > 0) {
    anomalies.push({ kind: 'large_order', orderId: orderId(plan, firstOrderOf(plan, large!)), date: dayOf(large!), detail: 'one order of 200 times the usual quantity' });
  }
  const burstOrders = Math.min(40, plan.perDay[burst!]!);
  if (burstOrders >= 5) {
    const customerId = customerIdOf(plan, random.int(0, Math.max(0, Math.floor(plan.customers * plan.establishedShare) - 1)));
    anomalies.push({ kind: 'order_burst', customerId, date: dayOf(burst!), orders: burstOrders, detail: `${burstOrders} orders from one customer within an hour, at 03:00 UTC` });
  }
  return anomalies;
}

/** 1-based number of the first order on day `d` (orders are numbered in time order). */
export function firstOrderOf(plan: ErpPlan, d: number): number {
  let n = 1;
  for (let i = 0; i < d; i++) n += plan.perDay[i]!;
  return n;
}

export const orderId = (plan: ErpPlan, n: number) => `SO${pad(n, Math.max(8, String(plan.orders).length))}`;
export const customerIdOf = (plan: ErpPlan, index: number) => `C${pad(index + 1, Math.max(6, String(plan.customers).length))}`;
export const productSku = (plan: ErpPlan, index: number) => {
  const category = CATEGORIES[index % CATEGORIES.length]!;
  return `${category.code}-${pad(Math.floor(index / CATEGORIES.length) + 1, 4)}`;
};

/**
 * When customer `index` (in order of creation) joined, in ms: the established ones
 * over the three years before the history, the rest during it, more of them later
 * (linear growth of sign-ups by `growth`). Monotonic, so the customers able to order
 * at a time are a prefix (see customersBy).
 */
export function customerJoinedMs(plan: ErpPlan, index: number): number {
  const established = Math.floor(plan.customers * plan.establishedShare);
  if (index < established) return plan.startMs - (1 - index / Math.max(1, established)) * 1095 * DAY_MS;
  const q = (index - established) / Math.max(1, plan.customers - established);
  const g = plan.growth;
  const t = (-1 + Math.sqrt(1 + 2 * g * q * (1 + g / 2))) / g;
  return plan.startMs + t * plan.days * DAY_MS;
}

/** How many customers have joined by `ms` (at least one: the first exists before any order). */
export function customersBy(plan: ErpPlan, ms: number): number {
  const established = Math.floor(plan.customers * plan.establishedShare);
  const t = Math.min(1, Math.max(0, (ms - plan.startMs) / (plan.days * DAY_MS)));
  const g = plan.growth;
  const joined = established + Math.floor(((t + (g * t * t) / 2) / (1 + g / 2)) * (plan.customers - established));
  return Math.min(plan.customers, Math.max(1, joined));
}

export function* generateCustomers(plan: ErpPlan): Generator<CustomerRow> {
  const random = createRandom(plan.seed).fork('customers');
  for (let i = 0; i < plan.customers; i++) {
    const region = random.weighted(REGIONS);
    const segment = random.weighted(SEGMENTS.map(([s, share]) => [s, share] as const));
    const name = companyName(random, region);
    // A little earlier than the join time, never later, so no order predates its customer.
    const created = customerJoinedMs(plan, i) - random.int(0, 3600_000);
    yield { id: customerIdOf(plan, i), name, region, segment, created_at: new Date(Math.floor(created / 1000) * 1000).toISOString() };
  }
}

export function generateProducts(plan: ErpPlan): ProductRow[] {
  const random = createRandom(plan.seed).fork('products');
  const rows: ProductRow[] = [];
  for (let i = 0; i < plan.products; i++) {
    const category = CATEGORIES[i % CATEGORIES.length]!;
    const { name, price } = productOf(random, category);
    rows.push({ sku: productSku(plan, i), name, category: category.name, unit_price: price.toFixed(2) });
  }
  return rows;
}

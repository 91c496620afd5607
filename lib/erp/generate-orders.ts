/**
 * The orders of a plan, one day at a time in time order: memory holds one day's
 * timestamps, whatever the total (10 million orders stream like ten thousand).
 */
import { CATEGORIES, SEGMENTS, type Region } from './names.ts';
import { createRandom } from './random.ts';
import {
  customerIdOf,
  customersBy,
  generateCustomers,
  generateProducts,
  isoDate,
  orderId,
  type Anomaly,
  type ErpPlan,
  type OrderRow,
} from './generate.ts';

const DAY_MS = 86_400_000;
/** Orders by UTC hour: China's working day is 01:00–10:00 UTC. */
const HOURS = [0.5, 1.2, 1.5, 1.4, 0.9, 1.2, 1.4, 1.3, 1.1, 0.8, 0.5, 0.35, 0.25, 0.2, 0.15, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.15, 0.2, 0.3];
const HOUR_TOTAL = HOURS.reduce((a, b) => a + b, 0);
const DISCOUNT = new Map<string, number>(SEGMENTS.map(([segment, , discount]) => [segment, discount]));

/** Per customer: what pricing and quantities depend on. Two bytes per customer, so 250k customers cost 500 kB. */
interface CustomerTraits { region: Uint8Array; segment: Uint8Array }
const REGION_NAMES: Region[] = ['华东', '华北', '华南', '西部', '海外'];
const SEGMENT_NAMES = SEGMENTS.map(([s]) => s);

function traitsOf(plan: ErpPlan): CustomerTraits {
  const region = new Uint8Array(plan.customers);
  const segment = new Uint8Array(plan.customers);
  let i = 0;
  for (const c of generateCustomers(plan)) {
    region[i] = REGION_NAMES.indexOf(c.region);
    segment[i++] = SEGMENT_NAMES.indexOf(c.segment);
  }
  return { region, segment };
}

function hourOf(u: number): number {
  let x = u * HOUR_TOTAL;
  for (let h = 0; h < 24; h++) if ((x -= HOURS[h]!) < 0) return h;
  return 23;
}

export function* generateOrders(plan: ErpPlan): Generator<OrderRow> {
  const random = createRandom(plan.seed).fork('orders');
  const products = generateProducts(plan);
  const traits = traitsOf(plan);
  // Products by category share, uniform within a category.
  const cumulative: number[] = [];
  let sum = 0;
  for (const p of products) {
    const category = CATEGORIES.find((c) => c.name === p.category)!;
    sum += category.share / Math.ceil(plan.products / CATEGORIES.length);
    cumulative.push(sum);
  }
  const pickProduct = () => {
    const u = random.next() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const quantityOf = new Map(CATEGORIES.map((c) => [c.name, c.quantity]));
  const find = <K extends Anomaly['kind']>(kind: K) => plan.anomalies.find((a) => a.kind === kind) as Extract<Anomaly, { kind: K }> | undefined;
  const refundSpike = find('refund_spike');
  const priceError = find('price_error');
  const largeOrder = find('large_order');
  const burst = find('order_burst');
  const burstCustomer = burst ? Number(burst.customerId.slice(1)) - 1 : -1;

  let number = 1;
  for (let d = 0; d < plan.days; d++) {
    const dayMs = plan.startMs + d * DAY_MS;
    const date = isoDate(dayMs);
    const count = plan.perDay[d]!;
    const bursting = burst?.date === date ? burst.orders : 0;
    const times = new Float64Array(count);
    for (let k = 0; k < count; k++) {
      // Whole seconds; the burst's orders carry a half millisecond, which marks them through the sort.
      times[k] = k < bursting
        ? dayMs + 3 * 3600_000 + random.int(0, 3599) * 1000 + 0.5
        : dayMs + hourOf(random.next()) * 3600_000 + random.int(0, 3599) * 1000;
    }
    times.sort();
    for (let k = 0; k < count; k++) {
      const at = Math.floor(times[k]!);
      let customer = times[k] !== at ? burstCustomer : -1;
      if (customer < 0) {
        // Long-standing customers order more often: a skew towards the start of the prefix of joined customers.
        const joined = customersBy(plan, at);
        customer = Math.min(joined - 1, Math.floor(joined * Math.pow(random.next(), 1.6)));
      }
      const product = products[pickProduct()]!;
      const region = REGION_NAMES[traits.region[customer]!]!;
      const typical = quantityOf.get(product.category)! * (region === '海外' ? 1.5 : 1);
      let quantity = Math.max(1, Math.round(typical * Math.exp(0.6 * random.normal())));
      if (largeOrder && k === 0 && largeOrder.date === date) quantity *= 200;
      let price = Number(product.unit_price) * DISCOUNT.get(SEGMENT_NAMES[traits.segment[customer]!]!)! * (1 + 0.03 * (random.next() * 2 - 1));
      if (priceError && product.sku === priceError.sku && date >= priceError.from && date <= priceError.to) price /= 10;
      const refundRate = refundSpike && refundSpike.date === date && refundSpike.region === region ? 0.6 : 0.045;
      const u = random.next();
      const status = u < refundRate ? 'refunded' : u < refundRate + 0.025 ? 'cancelled' : 'paid';
      yield {
        id: orderId(plan, number++),
        customer_id: customerIdOf(plan, customer),
        sku: product.sku,
        quantity,
        unit_price: Math.max(0.01, price).toFixed(2),
        status,
        ordered_at: new Date(at).toISOString(),
      };
    }
  }
}

/**
 * The rows bench/reports exports to Excel: orders as the `orders` dataset shows
 * them (drill-down fields, analytics Column types), made by the ERP generator
 * (lib/erp) in memory, so both writers get the very same rows, one at a time,
 * without a database in the way; the generator's own cost is timed apart
 * (`rows` mode of bench/reports-xlsx-child.ts) so it can be taken off both.
 * They are the same orders bench/reports loads into PostgreSQL for the pivots.
 */
import type { Column, Row } from '../lib/analytics/types.ts';
import { generateCustomers, generateProducts, planErp } from '../lib/erp/generate.ts';
import { generateOrders } from '../lib/erp/generate-orders.ts';

export const XLSX_COLUMNS: Column[] = [
  { name: 'id', type: 'string', role: 'dimension' },
  { name: 'ordered_at', type: 'timestamp', role: 'dimension' },
  { name: 'status', type: 'string', role: 'dimension' },
  { name: 'customer', type: 'string', role: 'dimension' },
  { name: 'region', type: 'string', role: 'dimension' },
  { name: 'category', type: 'string', role: 'dimension' },
  { name: 'product', type: 'string', role: 'dimension' },
  { name: 'quantity', type: 'integer', role: 'measure' },
  { name: 'unit_price', type: 'money', role: 'measure' },
  { name: 'revenue', type: 'money', role: 'measure' },
];

export function* xlsxRows(orders: number, seed: string): Generator<Row> {
  const plan = planErp({ orders, seed });
  const customers = new Map<string, { name: string; region: string }>();
  for (const c of generateCustomers(plan)) customers.set(c.id, { name: c.name, region: c.region });
  const products = new Map(generateProducts(plan).map((p) => [p.sku, p]));
  for (const o of generateOrders(plan)) {
    const customer = customers.get(o.customer_id);
    const product = products.get(o.sku);
    const unitPrice = Number(o.unit_price);
    yield {
      id: o.id,
      ordered_at: o.ordered_at,
      status: o.status,
      customer: customer?.name ?? null,
      region: customer?.region ?? null,
      category: product?.category ?? null,
      product: product?.name ?? null,
      quantity: o.quantity,
      unit_price: unitPrice,
      // Cents, as the engine rounds money.
      revenue: Math.round(o.quantity * unitPrice * 100) / 100,
    };
  }
}

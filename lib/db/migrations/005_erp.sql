-- The company's ERP records, which search indexes and reports read. The names and
-- columns are a published contract (outside tools and the reports rely on them):
-- add indexes and side tables, never columns. The ERP belongs to the deployment's
-- own company, the default tenant; no other tenant sees it.
create table if not exists customers (
  id          text primary key,
  name        text,
  region      text,
  segment     text,
  created_at  timestamptz
);

create table if not exists products (
  sku         text primary key,
  name        text,
  category    text,
  unit_price  numeric(12,2)
);

create table if not exists orders (
  id           text primary key,
  customer_id  text references customers,
  sku          text references products,
  quantity     int,
  unit_price   numeric(12,2),
  status       text check (status in ('paid', 'refunded', 'cancelled')),
  ordered_at   timestamptz
);

-- Range filters, facets and reports slice orders by time, customer, product and status.
create index if not exists orders_ordered_at_idx on orders (ordered_at);
create index if not exists orders_customer_idx on orders (customer_id);
create index if not exists orders_sku_idx on orders (sku);
create index if not exists orders_status_ordered_at_idx on orders (status, ordered_at);
create index if not exists customers_region_idx on customers (region);

-- The PostgreSQL search engine's own index (lib/search/adapters/postgres). Like an
-- Elasticsearch index, it holds what the sync workflow last wrote (`upsert`), not
-- the live source rows: the ERP tables' columns are a published contract, so the
-- words and the denormalized fields live beside them, deleted with their record.
--
-- Ids are `collate "C"` so ties and `after` paging order by code point, as
-- Elasticsearch's keyword sort does, and the primary key serves that order.
-- Each text field has its own tsvector (jieba words, `simple` config): a phrase
-- never spans two fields, and `field:word` picks the column.

-- Documents: the title's words; everything else is read from documents and chunks
-- (chunks.search_vector is written at ingestion). A row here means "indexed".
create table if not exists search_documents (
  id           text collate "C" primary key references documents (id) on delete cascade,
  title_words  tsvector not null,
  indexed_at   timestamptz not null default clock_timestamp()
);
create index if not exists search_documents_title_idx on search_documents using gin (title_words);

create table if not exists search_customers (
  id          text collate "C" primary key references customers (id) on delete cascade,
  name        text,
  region      text,
  segment     text,
  created_at  timestamptz,
  name_words  tsvector not null,
  indexed_at  timestamptz not null default clock_timestamp()
);
create index if not exists search_customers_name_idx on search_customers using gin (name_words);
create index if not exists search_customers_created_idx on search_customers (created_at);

-- Orders with their customer's and product's names and amount = quantity × unit_price,
-- so filters, facets and sorts read one table.
create table if not exists search_orders (
  id                   text collate "C" primary key references orders (id) on delete cascade,
  customer_id          text,
  customer_name        text,
  region               text,
  segment              text,
  sku                  text,
  product_name         text,
  category             text,
  quantity             integer,
  unit_price           numeric(12,2),
  amount               numeric(14,2),
  status               text,
  ordered_at           timestamptz,
  customer_name_words  tsvector not null,
  product_name_words   tsvector not null,
  indexed_at           timestamptz not null default clock_timestamp()
);
create index if not exists search_orders_customer_words_idx on search_orders using gin (customer_name_words);
create index if not exists search_orders_product_words_idx on search_orders using gin (product_name_words);
-- Range filters, histograms and sorts (incremental sort adds the id order). Missing
-- values sort last both ways (as on Elasticsearch), so descending sorts get their own.
-- Only what pays for itself on a million rows: every index slows a rebuild, and
-- low-cardinality filters (region, category) read a large share of the table anyway.
create index if not exists search_orders_ordered_at_idx on search_orders (ordered_at);
create index if not exists search_orders_ordered_at_desc_idx on search_orders (ordered_at desc nulls last);
create index if not exists search_orders_status_ordered_at_idx on search_orders (status, ordered_at);
create index if not exists search_orders_amount_idx on search_orders (amount);
create index if not exists search_orders_amount_desc_idx on search_orders (amount desc nulls last);
create index if not exists search_orders_customer_idx on search_orders (customer_id);
create index if not exists search_orders_sku_idx on search_orders (sku);

-- What the search engine has not seen yet. Triggers on the source tables queue
-- the id of every changed record; syncSearchIndex indexes them and deletes the
-- rows it handled. A queue, not a "changed since" timestamp: transactions commit
-- out of the order of their clocks, and a time checkpoint would skip the late one.
create table if not exists search_changes (
  seq         bigserial primary key,
  index_name  text not null check (index_name in ('documents', 'customers', 'orders')),
  record_id   text not null,
  changed_at  timestamptz not null default now()
);
create index if not exists search_changes_index_seq_idx on search_changes (index_name, seq);

-- When each index was last brought up to date, and last rebuilt, per engine.
create table if not exists search_sync_state (
  engine       text not null,
  index_name   text not null,
  synced_at    timestamptz,
  rebuilt_at   timestamptz,
  physical     text,
  primary key (engine, index_name)
);

-- A document enters search when it is ready and leaves when it is deleted; a
-- title, tag or knowledge-base change re-indexes it. Progress updates do not.
create or replace function search_document_changed() returns trigger language plpgsql as $$
begin
  insert into search_changes (index_name, record_id) values ('documents', coalesce(new.id, old.id));
  return null;
end $$;
drop trigger if exists documents_search_changed on documents;
create trigger documents_search_changed after insert or delete or update of status, title, tags, knowledge_base, metadata, lang
  on documents for each row execute function search_document_changed();

-- ERP tables change in bulk (imports, the generator), so their triggers fire once
-- per statement and read the changed rows from transition tables.
create or replace function search_erp_rows_changed() returns trigger language plpgsql as $$
begin
  if tg_table_name = 'customers' then
    insert into search_changes (index_name, record_id) select 'customers', id from changed_rows;
    -- Orders carry their customer's name and region.
    if tg_op = 'UPDATE' then
      insert into search_changes (index_name, record_id)
        select 'orders', o.id from orders o join changed_rows c on c.id = o.customer_id;
    end if;
  elsif tg_table_name = 'products' then
    -- Orders carry their product's name and category.
    if tg_op = 'UPDATE' then
      insert into search_changes (index_name, record_id)
        select 'orders', o.id from orders o join changed_rows p on p.sku = o.sku;
    end if;
  else
    insert into search_changes (index_name, record_id) select 'orders', id from changed_rows;
  end if;
  return null;
end $$;

drop trigger if exists customers_search_inserted on customers;
create trigger customers_search_inserted after insert on customers
  referencing new table as changed_rows for each statement execute function search_erp_rows_changed();
drop trigger if exists customers_search_updated on customers;
create trigger customers_search_updated after update on customers
  referencing new table as changed_rows for each statement execute function search_erp_rows_changed();
drop trigger if exists customers_search_deleted on customers;
create trigger customers_search_deleted after delete on customers
  referencing old table as changed_rows for each statement execute function search_erp_rows_changed();
drop trigger if exists products_search_updated on products;
create trigger products_search_updated after update on products
  referencing new table as changed_rows for each statement execute function search_erp_rows_changed();
drop trigger if exists orders_search_inserted on orders;
create trigger orders_search_inserted after insert on orders
  referencing new table as changed_rows for each statement execute function search_erp_rows_changed();
drop trigger if exists orders_search_updated on orders;
create trigger orders_search_updated after update on orders
  referencing new table as changed_rows for each statement execute function search_erp_rows_changed();
drop trigger if exists orders_search_deleted on orders;
create trigger orders_search_deleted after delete on orders
  referencing old table as changed_rows for each statement execute function search_erp_rows_changed();

-- The words each index holds (segmented as the engines index them), with how many
-- records hold them: fuzzy matching, "did you mean" and suggestions look here.
-- `pinyin` (toneless, for Chinese words) finds a word typed with a wrong character
-- of the same sound; pg_trgm finds misspelled English.
create extension if not exists pg_trgm;
create table if not exists search_terms (
  index_name  text not null,
  term        text not null,
  pinyin      text,
  records     integer not null default 0,
  primary key (index_name, term)
);
create index if not exists search_terms_trgm_idx on search_terms using gin (term gin_trgm_ops);
create index if not exists search_terms_pinyin_idx on search_terms (index_name, pinyin) where pinyin is not null;

-- The query log behind search analytics; rows older than the retention are deleted.
create table if not exists search_log (
  id            text primary key,
  tenant        text not null,
  index_name    text not null,
  query         text not null,
  filters       jsonb not null default '{}',
  mode          text,
  hits          integer not null,
  took_ms       integer not null,
  created_at    timestamptz not null default now(),
  clicked_id    text,
  clicked_at    timestamptz
);
create index if not exists search_log_tenant_created_idx on search_log (tenant, created_at desc);
create index if not exists search_log_created_idx on search_log (created_at);

-- Documents ingested before search existed are queued once, so the first sync indexes them.
insert into search_changes (index_name, record_id) select 'documents', id from documents where status = 'ready';

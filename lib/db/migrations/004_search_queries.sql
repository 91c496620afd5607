-- Search analytics: what each tenant searches for, and how often. The busiest
-- queries are the ones worth keeping warm (their embeddings) in the cache.
create table if not exists search_queries (
  tenant     text not null,
  query      text not null,
  searches   bigint not null default 0,
  last_at    timestamptz not null default now(),
  primary key (tenant, query)
);

create index if not exists search_queries_busiest on search_queries (searches desc);

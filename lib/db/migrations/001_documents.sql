-- Documents and their chunks. A document is identified by its tenant and the
-- SHA-256 of its bytes, so the same upload twice is one document.
create extension if not exists vector;

create table if not exists documents (
  id              text primary key,
  tenant          text not null default 'default',
  content_sha256  text not null,
  title           text,
  source          text,
  tags            text[] not null default '{}',
  filename        text,
  doc_type        text not null,
  size_bytes      bigint not null,
  blob_key        text not null,
  status          text not null check (status in ('queued', 'running', 'ready', 'failed', 'cancelled')),
  stage           text not null default 'queued',
  progress        real not null default 0,
  chunk_count     integer not null default 0,
  error_code      text,
  error_message   text,
  embedding_model text,
  embedding_dim   integer,
  workflow_id     text not null,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  unique (tenant, content_sha256)
);
-- Cursor pagination walks (created_at, id) newest first.
create index if not exists documents_created_idx on documents (created_at desc, id desc);
create index if not exists documents_status_idx on documents (status, created_at desc);
create index if not exists documents_tags_idx on documents using gin (tags);

create table if not exists chunks (
  document_id   text not null references documents (id) on delete cascade,
  idx           integer not null,
  text          text not null,
  token_count   integer not null,
  start_offset  integer not null,
  end_offset    integer not null,
  heading       text,
  -- Unsized so a deployment can choose its model; the model registry below pins
  -- one model and dimension, and the ANN index is built for that dimension.
  embedding     vector,
  -- Words segmented by jieba in Node, so Chinese search is the same on every engine.
  search_vector tsvector,
  primary key (document_id, idx)
);
create index if not exists chunks_search_idx on chunks using gin (search_vector);
create index if not exists chunks_pending_idx on chunks (document_id, idx) where embedding is null;

-- The one embedding model whose vectors the chunks hold; mixing models would
-- make distances meaningless, so a second model is refused.
create table if not exists embedding_models (
  singleton   boolean primary key default true check (singleton),
  model_id    text not null,
  dimension   integer not null check (dimension between 1 and 16000),
  created_at  timestamptz not null default now()
);

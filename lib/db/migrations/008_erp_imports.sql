-- ERP imports: one row per uploaded CSV, from upload to the end of its importDataset
-- workflow. `batches_done` is the checkpoint: a batch's rows and the checkpoint commit
-- together, so a worker killed mid-import resumes at the next batch.
create table if not exists erp_imports (
  id             text primary key,
  table_name     text not null check (table_name in ('customers', 'products', 'orders')),
  blob_key       text not null,
  workflow_id    text not null,
  status         text not null default 'queued' check (status in ('queued', 'running', 'completed', 'failed')),
  rows           integer not null default 0,
  imported       integer not null default 0,
  batches_done   integer not null default 0,
  progress       real not null default 0,
  errors         jsonb not null default '[]',
  error_code     text,
  error_message  text,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  finished_at    timestamptz
);
create index if not exists erp_imports_created_idx on erp_imports (created_at desc);

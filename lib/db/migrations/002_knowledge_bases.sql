-- Knowledge bases: every document belongs to exactly one, within a tenant.
-- Deleting one is a workflow: the row is marked `deleting` first (uploads into it
-- are refused), its documents are removed, then the row itself.
create table if not exists knowledge_bases (
  tenant            text not null default 'default',
  id                text not null check (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name              text not null,
  description       text,
  default_language  text,
  status            text not null default 'active' check (status in ('active', 'deleting')),
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  primary key (tenant, id)
);

insert into knowledge_bases (tenant, id, name, description)
values ('default', 'default', 'Default', 'Documents uploaded without a knowledge base')
on conflict do nothing;

alter table documents add column if not exists knowledge_base text not null default 'default';
alter table documents add column if not exists lang text;
alter table documents add column if not exists metadata jsonb not null default '{}';

-- No cascade: a knowledge base goes only once its documents (chunks, vectors, blobs) are gone.
alter table documents add constraint documents_knowledge_base_fkey
  foreign key (tenant, knowledge_base) references knowledge_bases (tenant, id);

alter table documents drop constraint if exists documents_status_check;
alter table documents add constraint documents_status_check
  check (status in ('queued', 'running', 'ready', 'failed', 'cancelled', 'deleting'));

-- The same bytes in two knowledge bases are two documents (see lib/documents/ids.ts).
alter table documents drop constraint if exists documents_tenant_content_sha256_key;
alter table documents add constraint documents_tenant_knowledge_base_content_sha256_key
  unique (tenant, knowledge_base, content_sha256);

-- Listing one knowledge base newest first.
create index if not exists documents_knowledge_base_created_idx
  on documents (tenant, knowledge_base, created_at desc, id desc);

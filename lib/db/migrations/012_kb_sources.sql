-- Knowledge-base sync: where a knowledge base's documents come from (a directory
-- tree or a Git repository), what the last sync saw of each file (the checkpoint),
-- the plan of the sync in progress, and each sync run's outcome.
create table if not exists kb_sources (
  id              text primary key,
  tenant          text not null,
  knowledge_base  text not null,
  type            text not null check (type in ('directory', 'git')),
  -- {path} for a directory, {url, ref} for Git; spec_key is its canonical text, so adding it twice is one source.
  spec            jsonb not null,
  spec_key        text not null,
  -- Git: the commit the checkpoint describes; a sync at the same commit has nothing to do.
  last_commit     text,
  last_synced_at  timestamptz,
  last_error      jsonb,
  created_at      timestamptz not null default now(),
  unique (tenant, knowledge_base, spec_key),
  foreign key (tenant, knowledge_base) references knowledge_bases (tenant, id) on delete cascade
);

-- The checkpoint: one row per file the last sync saw. A file whose size and mtime
-- (directory) or blob id (Git) are unchanged is not read again.
create table if not exists kb_source_files (
  source_id     text not null references kb_sources (id) on delete cascade,
  path          text not null,
  size_bytes    bigint not null,
  mtime_ms      bigint,
  git_blob      text,
  sha256        text,
  document_id   text,
  status        text not null check (status in ('synced', 'failed', 'retry')),
  error         jsonb,
  updated_at    timestamptz not null default now(),
  primary key (source_id, path)
);
create index if not exists kb_source_files_document_idx on kb_source_files (document_id);

-- A scan's plan: the changes one sync applies to one source, in order (renames,
-- upserts, forgets, releases), consumed in batches by a cursor that survives
-- continue-as-new and crashes. Deleted when the source's sync is done.
create table if not exists kb_sync_plan (
  scan_id      text not null,
  seq          integer not null,
  source_id    text not null references kb_sources (id) on delete cascade,
  action       text not null check (action in ('rename', 'upsert', 'forget', 'release')),
  path         text,
  old_path     text,
  size_bytes   bigint,
  mtime_ms     bigint,
  git_blob     text,
  sha256       text,
  document_id  text,
  changed      boolean not null default false,
  primary key (scan_id, seq)
);

-- One row per sync run (a workflow chain); at most one open per knowledge base,
-- so a second request joins it.
create table if not exists kb_syncs (
  id              text primary key,
  tenant          text not null,
  knowledge_base  text not null,
  workflow_id     text not null,
  status          text not null check (status in ('queued', 'running', 'succeeded', 'failed')),
  counts          jsonb not null default '{}',
  error           jsonb,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  finished_at     timestamptz,
  foreign key (tenant, knowledge_base) references knowledge_bases (tenant, id) on delete cascade
);
create unique index if not exists kb_syncs_open_idx on kb_syncs (tenant, knowledge_base) where status in ('queued', 'running');
create index if not exists kb_syncs_latest_idx on kb_syncs (tenant, knowledge_base, created_at desc);

-- Backups: one row per backupPlatform run. The row is the catalog of what lies
-- under `backups/<id>/` in blob storage; it is left out of every database dump
-- (a restore keeps today's catalog, so it never forgets backups made since).
-- `manifest` is the BackupManifest (lib/backup/types.ts), also stored as a blob.
create table if not exists backups (
  id                        text primary key,
  status                    text not null default 'running' check (status in ('running', 'verifying', 'verified', 'failed', 'deleted')),
  trigger                   jsonb not null,
  manifest                  jsonb,
  verification              jsonb,
  retention                 text check (retention in ('daily', 'weekly', 'monthly')),
  error                     jsonb,
  workflow_id               text not null,
  -- A restore's confirmation: the token's sha256 (never the token), its expiry,
  -- when the API accepted it and which restorePlatform run claimed it (single use).
  restore_token_hash        text,
  restore_token_expires_at  timestamptz,
  restore_token_consumed_at timestamptz,
  restore_claimed_by        text,
  -- The latest restore from this backup: {workflowId, status, startedAt, finishedAt?, error?}.
  last_restore              jsonb,
  created_at                timestamptz not null default now(),
  updated_at                timestamptz not null default now(),
  finished_at               timestamptz
);
create index if not exists backups_created_idx on backups (created_at desc, id desc);

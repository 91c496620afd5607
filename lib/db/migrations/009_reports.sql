-- Reports: one row per POST /v1/reports, from submission to the end of its
-- generateReport workflow. `spec` is the resolved ReportSpec (a template's
-- parameters already substituted), so a report reads the same whatever happens
-- to its template later. `artifacts` lists the stored files: [{format, bytes, sha256, key}].
create table if not exists reports (
  id              text primary key,
  tenant          text not null,
  title           text not null,
  spec            jsonb not null,
  template_id     text,
  parameters      jsonb,
  -- Idempotency-Key requests: the body's hash, so the same key with another body is refused.
  request_hash    text,
  status          text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  progress        real not null default 0,
  stage           text not null default 'queued',
  artifacts       jsonb not null default '[]',
  error           jsonb,
  workflow_id     text not null,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  finished_at     timestamptz
);
create index if not exists reports_tenant_created_idx on reports (tenant, created_at desc, id desc);

-- Report templates: a ReportSpec whose values may be parameter references
-- ({"param": "period"}), with the parameters it declares.
create table if not exists report_templates (
  id           text primary key,
  tenant       text not null,
  name         text not null,
  description  text,
  parameters   jsonb not null default '[]',
  spec         jsonb not null,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  unique (tenant, name)
);
create index if not exists report_templates_tenant_idx on report_templates (tenant, id);

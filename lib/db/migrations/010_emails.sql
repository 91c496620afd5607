-- Email: one row per POST /v1/emails (or report delivery), and its outbox.
-- `draft` is the checked request with its template rendered (lib/email/types.ts
-- EmailDraft), so a message reads the same on every attempt.
create table if not exists emails (
  id               text primary key,
  tenant           text not null,
  idempotency_key  text,
  request_hash     text,
  subject          text not null,
  draft            jsonb not null,
  status           text not null default 'queued' check (status in ('queued', 'sending', 'sent', 'partial', 'failed', 'uncertain')),
  error            jsonb,
  workflow_id      text not null,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  finished_at      timestamptz,
  unique (tenant, idempotency_key)
);
create index if not exists emails_tenant_created_idx on emails (tenant, created_at desc, id desc);

-- The outbox: one row per SMTP message, with a deterministic Message-ID. `state`
-- moves pending → sending (written before SMTP DATA) → sent | failed | uncertain;
-- `recipients` holds each recipient's outcome [{email, kind, status, detail}].
create table if not exists email_messages (
  email_id      text not null references emails (id) on delete cascade,
  seq           integer not null,
  message_id    text not null unique,
  state         text not null default 'pending' check (state in ('pending', 'sending', 'sent', 'failed', 'uncertain')),
  attempts      integer not null default 0,
  recipients    jsonb not null,
  smtp_response text,
  error         jsonb,
  sending_at    timestamptz,
  sent_at       timestamptz,
  primary key (email_id, seq)
);

-- Email templates: subject, text and html per locale ({"zh-CN": {...}, "en": {...}}),
-- Mustache variables escaped in html.
create table if not exists email_templates (
  id              text primary key,
  tenant          text not null,
  name            text not null,
  description     text,
  default_locale  text not null,
  locales         jsonb not null,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  unique (tenant, name)
);
create index if not exists email_templates_tenant_idx on email_templates (tenant, id);

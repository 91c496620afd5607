-- API keys: each belongs to one tenant and carries scopes. Only a hash of the
-- secret is stored; the key itself is shown once, when it is created.
create table if not exists api_keys (
  id          text primary key check (id ~ '^[0-9a-f]{16}$'),
  tenant      text not null check (tenant ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name        text not null,
  scopes      text[] not null,
  secret_hash bytea not null,
  created_at  timestamptz not null default now(),
  revoked_at  timestamptz
);

create index if not exists api_keys_tenant on api_keys (tenant, created_at, id);

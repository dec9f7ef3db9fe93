-- Latchkey schema, version 1. Forward-only: later changes go in new files.

create table users (
  id uuid primary key,
  email text not null,
  -- lower(trim(email)): the unique key, so emails compare case-insensitively.
  email_key text not null unique,
  password_hash text not null,
  role text not null default 'user',
  -- Access tokens issued (iat, whole seconds) before this instant's second are
  -- rejected: global logout and admin revoke move it forward.
  tokens_valid_after timestamptz not null default '1970-01-01T00:00:00Z',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- A session is one token family: one login and every rotation after it.
create table sessions (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null,
  last_used_at timestamptz not null,
  absolute_expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_reason text,
  user_agent text not null default '',
  ip text not null default ''
);
create index sessions_user_live on sessions (user_id, last_used_at desc) where revoked_at is null;
create index sessions_purge on sessions (absolute_expires_at);
create index sessions_revoked on sessions (revoked_at) where revoked_at is not null;

-- Refresh tokens exist here only as SHA-256 digests of the 256-bit value.
create table refresh_tokens (
  id bigserial primary key,
  session_id uuid not null references sessions (id) on delete cascade,
  token_hash bytea not null unique,
  parent_id bigint,
  successor_id bigint,
  issued_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz
);
create index refresh_tokens_session on refresh_tokens (session_id);
create index refresh_tokens_expiry on refresh_tokens (expires_at);

-- Access tokens revoked one by one (logout with a bearer token), kept until
-- they would have expired anyway.
create table access_token_denylist (
  jti text primary key,
  expires_at timestamptz not null
);
create index access_token_denylist_expiry on access_token_denylist (expires_at);

-- Failed-login counters per account and per client address (fixed window).
create table login_throttle (
  key text primary key,
  failures integer not null,
  window_started_at timestamptz not null
);

create table audit_events (
  id bigserial primary key,
  time timestamptz not null,
  type text not null,
  user_id uuid,
  session_id uuid,
  ip text not null default ''
);
create index audit_events_user on audit_events (user_id, id desc);
create index audit_events_time on audit_events (time);

-- OAuth clients (docs/oauth.md#clients). Forward-only, as every migration.

create table clients (
  -- The client_id, random (never reused, so a removed client's tokens can
  -- never come back to life under a new registration).
  id uuid primary key,
  name text not null,
  -- SHA-256 of a 256-bit random secret; the secret itself is shown once and
  -- never stored. Null exactly for public clients.
  secret_digest bytea,
  public boolean not null,
  grants text[] not null,
  scopes text[] not null,
  redirect_uris text[] not null,
  created_at timestamptz not null,
  constraint clients_secret_iff_confidential check (public = (secret_digest is null))
);

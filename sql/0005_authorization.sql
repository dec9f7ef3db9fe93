-- The OAuth browser flows (docs/oauth.md): session kinds, authorization codes,
-- consents and device authorizations. Forward-only, as every migration.

-- What started a session decides where its refresh tokens are accepted: the
-- browser's cookie at POST /refresh, a grant's only from its own client at
-- the token endpoint, a sign-in session's (the authorization pages' cookie)
-- nowhere. Existing rows are all logins, hence the default.
alter table sessions
  add column kind text not null default 'browser' check (kind in ('browser', 'signin', 'grant')),
  -- No foreign key: a removed client's grants are revoked, not deleted, so
  -- the revocation machinery (snapshot, purge) still sees them.
  add column client_id uuid,
  add column scopes text[],
  add constraint sessions_grant_has_client_and_scopes
    check ((kind = 'grant') = (client_id is not null) and (kind = 'grant') = (scopes is not null));
-- Revoking every grant of a removed client.
create index sessions_client on sessions (client_id) where client_id is not null;

-- Issued authorization codes, found by the SHA-256 of the code (never kept
-- itself). A used code stays until it expires, so a replay is recognised
-- and ends its grant.
create table authorization_codes (
  code_hash bytea primary key,
  client_id uuid not null references clients (id) on delete cascade,
  redirect_uri text not null,
  -- Whether the request carried redirect_uri: only then must the token
  -- request repeat it.
  redirect_uri_presented boolean not null,
  code_challenge text not null,
  user_id uuid not null references users (id) on delete cascade,
  scopes text[] not null,
  -- The session its tokens belong to (it may not exist yet, or any more).
  grant_id uuid not null,
  -- The sign-in session that approved it: the code is good only while that
  -- session lives, so a logout or revoke-all also ends pending codes.
  sign_in_session_id uuid,
  issued_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz
);
create index authorization_codes_expiry on authorization_codes (expires_at);

-- What each user agreed a client may do, so the consent page is not shown
-- again for the same scopes.
create table consents (
  user_id uuid not null references users (id) on delete cascade,
  client_id uuid not null references clients (id) on delete cascade,
  scopes text[] not null,
  granted_at timestamptz not null,
  primary key (user_id, client_id)
);

-- Device flow authorizations, found by the device code's SHA-256 (the
-- device's polls) or by the user code (the /device page).
create table device_authorizations (
  id uuid primary key,
  device_code_hash bytea not null unique,
  -- The normalized 8 letters, no dash. Unique over all rows, expired ones
  -- included (the index that finds a code is this one): a new code deletes
  -- an expired holder of the same letters in the statement that inserts it.
  -- Uniqueness among unexpired rows only cannot be an index (it depends on
  -- now()), and an index makes two concurrent inserts of one code wait for
  -- each other without any lock taken by hand.
  user_code text not null unique,
  client_id uuid not null references clients (id) on delete cascade,
  scopes text[] not null,
  issued_at timestamptz not null,
  expires_at timestamptz not null,
  interval_seconds integer not null,
  last_polled_at timestamptz,
  status text not null check (status in ('pending', 'approved', 'denied', 'redeemed')),
  -- Who approved (kept after redemption); null while pending or denied.
  user_id uuid references users (id) on delete cascade,
  -- The sign-in session that approved it, as for codes.
  approved_session_id uuid,
  constraint device_authorizations_approved_by_someone check (status <> 'approved' or user_id is not null)
);
create index device_authorizations_expiry on device_authorizations (expires_at);

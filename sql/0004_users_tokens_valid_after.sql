-- The revocation view's resync reads the users whose "tokens valid after"
-- moved recently (a global logout, an admin revoke); without an index that
-- is a scan of every user (about 120 ms at a million users, on every
-- start-up and resync). Only moved cut-offs are indexed: most users keep the
-- default forever.
create index users_tokens_valid_after on users (tokens_valid_after)
  where tokens_valid_after > '1970-01-01T00:00:00Z';

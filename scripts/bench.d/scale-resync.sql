-- scripts/bench-scale: the revocation view's resync queries (LatchkeyStore's
-- revocationSnapshot) with the server's bounds for the default access TTL:
-- revoked within max(TTL, 3600) + 120 s, denylisted jtis not yet expired.
\set ON_ERROR_STOP 1
\o /dev/null
\timing on
select id, extract(epoch from revoked_at)::float8 as revoked_at from sessions
where revoked_at > now() - interval '3720 seconds';
select jti, extract(epoch from expires_at)::float8 as expires_at from access_token_denylist
where expires_at > now() - interval '60 seconds';
-- The constant bound is the server's too: it lets the partial index of
-- sql/0004 answer, instead of a scan of every user.
select id, extract(epoch from tokens_valid_after)::float8 as cutoff from users
where tokens_valid_after > '1970-01-01T00:00:00Z' and tokens_valid_after > now() - interval '3720 seconds';

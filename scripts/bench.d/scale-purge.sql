-- scripts/bench-scale: the purger's batch deletes (LatchkeyStore's
-- purgeExpired, batch :batch), with the server's horizons: sessions and
-- refresh tokens kept until the access TTL (900 s) + 60 s have passed,
-- denylisted jtis 60 s past expiry, throttle windows for a day. :shift moves
-- "now" back, to time a round with nothing due.
\set ON_ERROR_STOP 1
\timing on
delete from sessions where id in (
  select id from sessions
  where (revoked_at is not null and revoked_at < now() - interval '960 seconds' - :shift * interval '1 second')
     or absolute_expires_at < now() - interval '960 seconds' - :shift * interval '1 second'
  limit :batch for update skip locked);
delete from refresh_tokens where id in (
  select id from refresh_tokens where expires_at < now() - interval '960 seconds' - :shift * interval '1 second'
  limit :batch for update skip locked);
delete from access_token_denylist where jti in (
  select jti from access_token_denylist where expires_at < now() - interval '60 seconds' - :shift * interval '1 second'
  limit :batch for update skip locked);
delete from login_throttle where key in (
  select key from login_throttle where window_started_at < now() - interval '86400 seconds' - :shift * interval '1 second'
  limit :batch for update skip locked);

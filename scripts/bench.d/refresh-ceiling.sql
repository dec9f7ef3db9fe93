-- pgbench: the least SQL a refresh can be, one statement and one durable commit,
-- on Latchkey's own tables: lock the presented token (by its hash, as /refresh
-- finds it), mark it used with its successor, insert the successor, touch the
-- session, and read what the new access token needs. Client N rotates the
-- session in row N of bench_ceiling; its newest token's hash is carried from
-- one transaction to the next in :cur (found by session on the first).
\set n :client_id + 1
with cur as (
  select t.id, t.session_id
  from refresh_tokens t
  where t.token_hash = case when :cur = 'none'
      then (select token_hash from refresh_tokens
            where session_id = (select session_id from bench_ceiling where n = :n) and used_at is null
            order by id desc limit 1)
      else decode(:cur, 'hex') end
  for update
), fresh as (
  select nextval('refresh_tokens_id_seq') as id, sha256(convert_to(gen_random_uuid()::text, 'UTF8')) as hash
), old as (
  update refresh_tokens t set used_at = now(), successor_id = fresh.id
  from cur, fresh where t.id = cur.id
  returning t.id, t.session_id
), s as (
  update sessions set last_used_at = now()
  from old where sessions.id = old.session_id and sessions.revoked_at is null
  returning sessions.user_id
), new as (
  insert into refresh_tokens (id, session_id, token_hash, parent_id, issued_at, expires_at)
  select fresh.id, old.session_id, fresh.hash, old.id, now(), now() + interval '30 days' from old, fresh
  returning token_hash
)
select encode(new.token_hash, 'hex') as cur, u.email, u.role from new, s join users u on u.id = s.user_id
\gset

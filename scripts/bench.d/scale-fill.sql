-- scripts/bench-scale: months of traffic in one go. Run as the superuser with
-- psql variables users, sessions, tokens, revoked_sessions, denied, cutoffs
-- and hash (one argon2id PHC string every user shares).
--
-- Random keys (UUIDs, token digests) inserted one by one into their B-trees
-- would take most of the time, so the tables' indexes and constraints are
-- dropped, the rows loaded, and the very same definitions (read back from the
-- catalog first) created again: the end state is the schema `latchkey
-- migrate` made, foreign keys validated.
\set ON_ERROR_STOP 1
set maintenance_work_mem = '1GB';

begin;
create temp table scale_ddl (step int, drop_sql text, create_sql text) on commit drop;
-- Foreign keys from or to the filled tables: dropped first, created last.
insert into scale_ddl
select 3, format('alter table %s drop constraint %I', conrelid::regclass, conname),
  format('alter table %s add constraint %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
from pg_constraint
where contype = 'f'
  and (conrelid in ('users'::regclass, 'sessions'::regclass, 'refresh_tokens'::regclass, 'access_token_denylist'::regclass)
    or confrelid in ('users'::regclass, 'sessions'::regclass, 'refresh_tokens'::regclass));
insert into scale_ddl
select 1, format('alter table %s drop constraint %I', conrelid::regclass, conname),
  format('alter table %s add constraint %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
from pg_constraint
where contype in ('p', 'u')
  and conrelid in ('users'::regclass, 'sessions'::regclass, 'refresh_tokens'::regclass, 'access_token_denylist'::regclass);
insert into scale_ddl
select 2, format('drop index %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid)
from pg_index i
where i.indrelid in ('users'::regclass, 'sessions'::regclass, 'refresh_tokens'::regclass, 'access_token_denylist'::regclass)
  and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.contype in ('p', 'u', 'x'));
do $$
declare r record;
begin
  for r in select drop_sql from scale_ddl order by step desc loop execute r.drop_sql; end loop;
end $$;

-- Users scale-0 ... scale-(N-1); the last `cutoffs` of them logged out
-- everywhere within the last 50 minutes (live cut-offs).
insert into users (id, email, email_key, password_hash, role, tokens_valid_after, created_at, updated_at)
select md5('u' || g)::uuid, 'scale-' || g || '@example.com', 'scale-' || g || '@example.com', :'hash', 'user',
  case when g >= :users - :cutoffs then now() - (g % 3000) * interval '1 second' else '1970-01-01T00:00:00Z' end,
  now() - interval '400 days', now() - interval '400 days'
from generate_series(0, :users - 1) g;

-- Sessions, round-robin over users: 10 % past their absolute expiry (due
-- for the purge), the last `revoked_sessions` revoked within the last 50
-- minutes (live revocations), the rest live.
insert into sessions (id, user_id, created_at, last_used_at, absolute_expires_at, revoked_at, revoked_reason, user_agent, ip)
select md5('s' || s)::uuid, md5('u' || (s % :users))::uuid, created, created + interval '1 hour',
  created + interval '30 days',
  case when s >= :sessions - :revoked_sessions then now() - (s % 3000) * interval '1 second' end,
  case when s >= :sessions - :revoked_sessions then 'logout' end,
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', '203.0.113.' || (s % 250)
from generate_series(0, :sessions - 1) s,
  lateral (select case when s % 10 = 0 then now() - interval '31 days' - (s % 2592000) * interval '1 second'
                       else now() - (s % 2592000) * interval '1 second' end as created) c;

-- Refresh tokens (ids after those already there), generation k of session s
-- is row k * sessions + s: 70 %
-- used with a successor, 20 % past their expiry (due for the purge), 10 %
-- current.
select coalesce(max(id), 0) as base from refresh_tokens \gset
insert into refresh_tokens (id, session_id, token_hash, parent_id, successor_id, issued_at, expires_at, used_at)
select :base + t + 1, md5('s' || (t % :sessions))::uuid, sha256(int8send(t)),
  case when t >= :sessions then :base + t - :sessions + 1 end,
  case when t % 10 < 7 and t + :sessions < :tokens then :base + t + :sessions + 1 end,
  issued,
  case when t % 10 in (7, 8) then now() - interval '1 day' - (t % 1728000) * interval '1 second'
       else issued + interval '7 days' end,
  case when t % 10 < 7 then issued + interval '15 minutes' end
from generate_series(0::bigint, :tokens - 1) t,
  lateral (select now() - (t % 518400) * interval '1 second' as issued) i;
select setval(pg_get_serial_sequence('refresh_tokens', 'id'), :base + :tokens) as ignored \gset

-- Access tokens logged out one by one, not yet expired.
insert into access_token_denylist (jti, expires_at)
select 'scale-jti-' || g, now() + (60 + g % 800) * interval '1 second'
from generate_series(0, :denied - 1) g;

do $$
declare r record;
begin
  for r in select create_sql from scale_ddl order by step loop execute r.create_sql; end loop;
end $$;
commit;

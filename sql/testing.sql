-- Used by the test suite only (spec/support): known state between tests, and a
-- fingerprint of every table to prove a refused call changed nothing.

-- name: resetData :exec
truncate events, contracts, clients, users, login_throttle restart identity;

-- name: fingerprint :one
select (select count(*) from users)     as users,
       (select count(*) from clients)   as clients,
       (select count(*) from contracts) as contracts,
       (select count(*) from events)    as events,
       md5((select coalesce(string_agg(t::text, '|' order by t.id), '') from users t)
        || (select coalesce(string_agg(t::text, '|' order by t.id), '') from clients t)
        || (select coalesce(string_agg(t::text, '|' order by t.id), '') from contracts t)
        || (select coalesce(string_agg(t::text, '|' order by t.id), '') from events t)
        || (select coalesce(string_agg(t::text, '|' order by t.email), '') from login_throttle t)) as digest;

-- A lockout that ran out: the throttle test cannot wait 15 minutes.
-- name: expireLockout :exec
update login_throttle set locked_until = now() - interval '1 second' where email = lower($1);

-- name: dropDatabase :exec
drop database if exists %I with (force);

-- Statements the runtime role must be refused (spec/db/roles.spec.ts).
-- name: runtimeDropTable :exec
drop table clients;

-- name: runtimeCreateTable :exec
create table x ();

-- name: runtimeCreateInPublic :exec
create table public.x ();

-- name: runtimeTruncate :exec
truncate contracts;

-- name: runtimeAlterTable :exec
alter table users add column is_admin boolean;

-- name: runtimeDeleteClients :exec
delete from clients;

-- name: runtimeReadOwnRole :one
select rolsuper, rolcreaterole, rolcreatedb, rolbypassrls from pg_roles where rolname = current_user;

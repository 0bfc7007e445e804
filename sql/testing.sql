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

-- Fixtures of the authentication and collaborator tests (spec/support/users.ts), run as owner.
-- name: authFixtureUser :one
insert into users (full_name, email, department_id, password_hash)
select $1, $2, d.id, $4 from departments d where d.name = $3
returning id, email, full_name as "fullName", $3::text as department, token_version as "tokenVersion";

-- name: authFixtureClient :one
insert into clients (full_name, email, sales_contact_id) values ($1, $2, $3) returning id;

-- name: authFixtureContract :one
insert into contracts (client_id, total_amount, amount_due, signed_at) values ($1, 1000, 0, now()) returning id;

-- name: authFixtureEvent :one
insert into events (contract_id, name, start_at, end_at, location, attendees, support_contact_id)
values ($1, $2, now() + interval '1 day', now() + interval '2 days', 'Paris', 10, $3)
returning id;

-- name: authFixtureOwners :many
select 'client' as kind, id, sales_contact_id as "ownerId" from clients
union all
select 'event', id, support_contact_id from events
order by kind, id;

-- name: authBumpTokenVersion :exec
update users set token_version = token_version + 1 where id = $1;

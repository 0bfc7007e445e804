-- Provisioning (epic-events setup), run on the administrator's connection.
-- Values reach the DO blocks through transaction-local settings (set_config with
-- parameters), never through string building in the program.

-- name: databaseExists :one
-- params: database
select 1 as exists from pg_database where datname = $1;

-- Identifier filled by pg-format (%I) from the configured database name.
-- name: createDatabase :exec
create database %I;

-- Setup runs one at a time on a server (session-level advisory lock, held
-- on a connection of its own for the whole run; released by unlockSetup or
-- when that connection closes).
-- name: lockSetup :exec
select pg_advisory_lock(4242000);

-- name: unlockSetup :exec
select pg_advisory_unlock(4242000);

-- Once the schema has it (sql/migrations/042), setup locks a row only the
-- owner may lock, in a transaction held for the whole run, instead of the
-- advisory lock any connected role could hold.
-- name: setupLockExists :one
select to_regclass('epic.setup_lock') is not null as "exists";

-- name: lockSetupRow :exec
select from epic.setup_lock for update;

-- What an administrator without CREATEDB is told to have a superuser run
-- (identifiers filled by pg-format: the database, the administrator).
-- name: createDatabaseFor :exec
create database %I owner %I;

-- name: serverVersion :one
-- The server's version: setup refuses those the schema does not support.
select current_setting('server_version_num')::int as num, split_part(current_setting('server_version'), ' ', 1) as version;

-- name: mayCreateDatabase :one
select rolcreatedb or rolsuper as may from pg_roles where rolname = current_user;

-- $3 is the runtime role's password as a SCRAM-SHA-256 verifier (lib/db/scram.ts):
-- the password itself never reaches SQL.
-- name: useSettings :exec
-- params: database, appRole, appPassword, statementTimeout
select set_config('epic.database', $1, true),
       set_config('epic.app_role', $2, true),
       set_config('epic.app_password', $3, true),
       set_config('epic.statement_timeout', $4, true);

-- name: provisioningState :one
-- params: appRole
select exists (select from pg_roles where rolname = 'epic_owner')   as owner_role,
       exists (select from pg_roles where rolname = 'epic_sales')   as department_roles,
       exists (select from pg_roles where rolname = $1)             as app_role,
       exists (select from pg_roles where rolname = 'epic_departments') as departments_role,
       exists (select from pg_namespace where nspname = 'epic')     as schema;

-- name: createRoles :exec
do $$
declare
  app  text := current_setting('epic.app_role');
  role text;
begin
  -- epic_owner owns the schema; one NOLOGIN role per department holds exactly
  -- what that department may do (sql/migrations/003); epic_login may only call
  -- the authentication functions. epic_runtime is the catch-all of 001, now empty.
  foreach role in array array['epic_owner', 'epic_runtime', 'epic_management', 'epic_sales', 'epic_support', 'epic_login', 'epic_departments'] loop
    if not exists (select from pg_roles where rolname = role) then
      execute format('create role %I nologin', role);
    end if;
  end loop;
  if not exists (select from pg_roles where rolname = app) then
    execute format('create role %I login password %L', app, current_setting('epic.app_password'));
  end if;
  -- The runtime login role has no privilege of its own. It inherits epic_login
  -- (the authentication functions) and may become a department role for one
  -- transaction (set_config('role', …, true)) without inheriting any: it reaches
  -- them only through epic_departments, which is NOINHERIT. Membership inherits
  -- by the member's INHERIT attribute on PostgreSQL 15, by the grant's INHERIT
  -- option (defaulting to that attribute) on 16+, and SET ROLE needs no
  -- inheritance on either: one form for every supported server. (16+ could say
  -- `grant … with inherit false, set true`; 15 cannot parse it.)
  alter role epic_departments nologin noinherit;
  -- Its connection limit is set after the migrations (limitRuntimeRole: the logins' share of max_connections).
  -- (Only a superuser may name the superuser, replication and bypassrls attributes, even to deny them.)
  if (select rolsuper from pg_roles where rolname = current_user) then
    execute format('alter role %I nosuperuser nocreatedb nocreaterole nobypassrls noreplication inherit', app);
  else
    execute format('alter role %I nocreatedb nocreaterole inherit', app);
  end if;
  -- Older setups granted the department roles (and the 001 catch-all) to the login role directly.
  for role in
    select r.rolname from pg_auth_members m join pg_roles r on r.oid = m.roleid
    where m.member = app::regrole
      and r.rolname in ('epic_runtime', 'epic_management', 'epic_sales', 'epic_support', 'epic_departments')
  loop
    execute format('revoke %I from %I', role, app);
  end loop;
  grant epic_management, epic_sales, epic_support to epic_departments;
  -- The runtime role only logs in (sql/migrations/040): each session works as
  -- its own role; epic_departments (which it held before) is kept unused.
  execute format('grant epic_login to %I', app);
  -- One login role per session (sql/migrations/040): the owner creates it in
  -- auth_login, member of epic_login and of the NOINHERIT reach role of its
  -- own department only. PostgreSQL 16+ lets a CREATEROLE role grant only the
  -- roles it holds with ADMIN OPTION.
  foreach role in array array['management', 'sales', 'support'] loop
    if not exists (select from pg_roles where rolname = 'epic_as_' || role) then
      execute format('create role %I nologin noinherit', 'epic_as_' || role);
    end if;
    execute format('alter role %I nologin noinherit', 'epic_as_' || role);
    execute format('grant %I to %I', 'epic_' || role, 'epic_as_' || role);
  end loop;
  alter role epic_owner createrole;
  grant epic_login, epic_as_management, epic_as_sales, epic_as_support to epic_owner with admin option;
  -- The administrator may act as the owner to run migrations.
  execute format('grant epic_owner to %I', current_user);
end $$;

-- name: setAppPassword :exec
do $$
begin
  execute format('alter role %I password %L', current_setting('epic.app_role'), current_setting('epic.app_password'));
end $$;

-- name: provisionDatabase :exec
do $$
declare
  db  text := current_setting('epic.database');
  app text := current_setting('epic.app_role');
begin
  create schema if not exists epic authorization epic_owner;
  -- Nothing for PUBLIC: only our roles connect, nobody creates in public.
  execute format('revoke all on database %I from public', db);
  execute format('grant connect on database %I to %I', db, app);
  -- The owner lets each session's own role (sql/migrations/040) connect to this database only.
  execute format('grant connect on database %I to epic_owner with grant option', db);
  execute format('grant connect, create on database %I to epic_owner', db);
  revoke all on schema public from public;
  execute format('alter role %I in database %I set search_path = epic', app, db);
  execute format('alter role epic_owner in database %I set search_path = epic', db);
  execute format('alter role %I in database %I set statement_timeout = %L', app, db, current_setting('epic.statement_timeout'));
end $$;

-- name: actAsOwner :exec
select set_config('role', 'epic_owner', true), set_config('search_path', 'epic', true);

-- name: ensureDepartments :many
insert into departments (name)
select d from unnest(array['management', 'sales', 'support']) as d
on conflict (name) do nothing
returning name;

-- name: managementCount :one
select count(*)::int as n from users u join departments d on d.id = u.department_id where d.name = 'management';

-- Databases other than ours (database) the runtime role (role) could connect to through
-- PUBLIC's grant (a database of ours, such as the demo's, grants it by name).
-- name: otherDatabasesOpenTo :many
-- params: role, database
select datname from pg_database
where datname <> $2 and datallowconn and has_database_privilege($1, datname, 'connect')
  and (datacl is null or exists (select from aclexplode(datacl) a where a.grantee = 0 and a.privilege_type = 'CONNECT'))
order by datname;

-- Identifier filled by pg-format (%I) from otherDatabasesOpenTo's answer (embedded server only: the cluster is ours).
-- name: closeDatabaseToPublic :exec
revoke connect, temporary on database %I from public;

-- The team's session lifetime and bcrypt cost, kept on the server
-- (sql/migrations/013): a login never lasts longer than TOKEN_TTL, whatever
-- a client asks. A row only when it changed. Run as the owner.
-- name: keepTeamSettings :one
-- params: tokenTtlSeconds, bcryptRounds
update team_settings set token_ttl = make_interval(secs => $1::int), bcrypt_rounds = $2::int
where token_ttl <> make_interval(secs => $1::int) or bcrypt_rounds <> $2::int
returning extract(epoch from token_ttl)::int as "tokenTtlSeconds", bcrypt_rounds as "bcryptRounds";

-- name: isSuperuser :one
select rolsuper as superuser from pg_roles where rolname = current_user;

-- The server functions no collaborator's connection may reach, in our database
-- (function privileges are per database): creating large objects (they fill
-- the disk without a session), advisory locks (holding setup's or the login
-- throttle's), ending or cancelling other backends, and reading what other
-- connections run. Only a superuser may revoke what PUBLIC holds on them;
-- the owner keeps the transaction-level advisory locks the throttle and the
-- migrations take.
-- name: hardenCatalog :exec
do $$
declare
  f regprocedure;
begin
  for f in
    select p.oid::regprocedure from pg_proc p
    where p.pronamespace = 'pg_catalog'::regnamespace
      and p.proname in ('lo_creat', 'lo_create', 'lo_from_bytea', 'lo_import',
                        'pg_advisory_lock', 'pg_advisory_lock_shared', 'pg_try_advisory_lock', 'pg_try_advisory_lock_shared',
                        'pg_advisory_xact_lock', 'pg_advisory_xact_lock_shared', 'pg_try_advisory_xact_lock', 'pg_try_advisory_xact_lock_shared',
                        'pg_terminate_backend', 'pg_cancel_backend', 'pg_stat_get_activity')
  loop
    execute format('revoke execute on function %s from public', f);
  end loop;
  revoke select on pg_catalog.pg_stat_activity from public;
  grant execute on function pg_catalog.pg_advisory_xact_lock(bigint), pg_catalog.pg_advisory_xact_lock(integer, integer), pg_catalog.pg_advisory_lock(bigint) to epic_owner;
  -- The owner ends the backends of a session's role when the session ends (040).
  grant execute on function pg_catalog.pg_terminate_backend(integer, bigint), pg_catalog.pg_stat_get_activity(integer) to epic_owner;
  grant select on pg_catalog.pg_stat_activity to epic_owner;
end $$;

-- name: catalogHardened :one
select not has_function_privilege('public', 'pg_catalog.lo_from_bytea(oid, bytea)', 'execute')
   and not has_function_privilege('public', 'pg_catalog.pg_advisory_lock(bigint)', 'execute')
   and not has_table_privilege('public', 'pg_catalog.pg_stat_activity', 'select')
   and has_table_privilege('epic_owner', 'pg_catalog.pg_stat_activity', 'select') as hardened;

-- Connection bounds from the server's max_connections (less what it reserves):
-- the logins' share for the runtime role (between 5 and 20), perSession for
-- each session's role (its pool and its listeners), and how many sessions one
-- collaborator may hold so that four at their bound still fit.
-- name: connectionBounds :one
-- params: perSession
select b.max as "maxConnections", $1::int as "perSession", b.logins as "forLogins",
       greatest(1, least(50, (b.usable - b.logins) / (4 * $1::int))) as "perCollaborator"
from (select s.max, s.max - s.reserved as usable, greatest(5, least(20, (s.max - s.reserved) / 5)) as logins
      from (select current_setting('max_connections')::int as max,
                   current_setting('superuser_reserved_connections')::int
                   + coalesce(nullif(current_setting('reserved_connections', true), '')::int, 0) as reserved) s) b;

-- Run as the owner.
-- name: keepConnectionBounds :exec
-- params: perSession, perCollaborator
update team_settings set session_connections = $1, sessions_per_user = $2;

-- name: useRuntimeLimit :exec
-- params: appRole, forLogins
select set_config('epic.app_role', $1, true), set_config('epic.login_connections', $2, true);

-- name: limitRuntimeRole :exec
do $$
begin
  execute format('alter role %I connection limit %s', current_setting('epic.app_role'), current_setting('epic.login_connections')::int);
end $$;

-- Provisioning (epic-events setup), run on the administrator's connection.
-- Values reach the DO blocks through transaction-local settings (set_config with
-- parameters), never through string building in the program.

-- name: databaseExists :one
select 1 as exists from pg_database where datname = $1;

-- Identifier filled by pg-format (%I) from the configured database name.
-- name: createDatabase :exec
create database %I;

-- name: useSettings :exec
select set_config('epic.database', $1, true),
       set_config('epic.app_role', $2, true),
       set_config('epic.app_password', $3, true),
       set_config('epic.statement_timeout', $4, true);

-- name: provisioningState :one
select exists (select from pg_roles where rolname = 'epic_owner')   as owner_role,
       exists (select from pg_roles where rolname = 'epic_runtime') as runtime_role,
       exists (select from pg_roles where rolname = $1)             as app_role,
       exists (select from pg_namespace where nspname = 'epic')     as schema;

-- name: createRoles :exec
do $$
declare
  app text := current_setting('epic.app_role');
begin
  if not exists (select from pg_roles where rolname = 'epic_owner') then
    create role epic_owner nologin;
  end if;
  if not exists (select from pg_roles where rolname = 'epic_runtime') then
    create role epic_runtime nologin;
  end if;
  if not exists (select from pg_roles where rolname = app) then
    execute format('create role %I login password %L', app, current_setting('epic.app_password'));
  end if;
  -- The runtime login role: no superuser, no role or database creation, no bypass of row security.
  execute format('alter role %I nosuperuser nocreatedb nocreaterole nobypassrls noreplication', app);
  execute format('grant epic_runtime to %I', app);
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
  execute format('grant connect on database %I to epic_runtime', db);
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

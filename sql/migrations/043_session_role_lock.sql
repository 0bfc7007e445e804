-- 043: logins at once no longer fail with "tuple concurrently updated".
-- Making a session's role grants it CONNECT on the database, and ending one
-- revokes it: both rewrite the database's one catalog row (its ACL), which
-- PostgreSQL does not let two transactions do at once (40 concurrent logins
-- failed now and then). Role changes now queue on a row only the owner may
-- lock (an advisory lock could be held by anyone where setup is no superuser,
-- blocking every login: 042 says why), held until the login or the ending
-- commits. Runs as epic_owner.
create table session_role_lock (id boolean primary key default true check (id));
insert into session_role_lock default values;
revoke all on session_role_lock from public;

create or replace function create_session_role(p_session bigint, p_department text, p_expires timestamptz, p_verifier text) returns text
language plpgsql volatile security definer set search_path = epic, pg_temp set datestyle = 'ISO, YMD' set timezone = 'UTC'
as $$
declare
  v_role text := session_role_name(p_session);
begin
  -- One role change at a time (see the top of this file).
  perform from session_role_lock for update;
  if p_verifier is null or p_verifier !~ '^SCRAM-SHA-256\$[0-9]{4,7}:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$' then
    raise exception 'a session needs a SCRAM-SHA-256 verifier' using errcode = '22023';
  end if;
  if p_department not in ('management', 'sales', 'support') then
    raise exception 'unknown department %', p_department using errcode = '22023';
  end if;
  execute format('create role %I login inherit nosuperuser nocreatedb nocreaterole noreplication nobypassrls connection limit %s valid until %L password %L',
                 v_role, (select t.session_connections from team_settings t), p_expires, p_verifier);
  execute format('grant epic_login, %I to %I', 'epic_as_' || p_department, v_role);
  -- The owner may signal (end) the role's backends: it needs the role's privileges.
  execute format('grant %I to epic_owner', v_role);
  -- This database only (another installation's on the same server stays closed to it).
  execute format('grant connect on database %I to %I', current_database(), v_role);
  execute format('alter role %I in database %I set search_path = epic', v_role, current_database());
  -- The statement timeout in force at the login (the runtime role's, sql/setup.sql): a script on the role has it too.
  if current_setting('statement_timeout') <> '0' then
    execute format('alter role %I in database %I set statement_timeout = %L', v_role, current_database(), current_setting('statement_timeout'));
  end if;
  update sessions s set db_role = v_role where s.id = p_session;
  return v_role;
end $$;

create or replace function end_session_role(p_role text) returns void
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
begin
  if p_role is null or not exists (select from pg_roles r where r.rolname = p_role) then
    return;
  end if;
  -- One role change at a time (see the top of this file).
  perform from session_role_lock for update;
  begin
    execute format('alter role %I nologin', p_role);
    perform pg_terminate_backend(a.pid) from pg_stat_activity a where a.usename = p_role and a.pid <> pg_backend_pid();
    if p_role <> session_user::text then
      execute format('revoke connect on database %I from %I', current_database(), p_role);
      execute format('drop role %I', p_role);
    end if;
  exception when undefined_object then
    null; -- ended meanwhile by another connection (two sweeps at once)
  end;
end $$;

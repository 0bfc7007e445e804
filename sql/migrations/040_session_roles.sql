-- 040: one database login role per session. Runs as epic_owner with search_path = epic.
--
-- The login makes a LOGIN role for the session it opens, named with the
-- installation (roles are cluster-wide: several installations may share a
-- server): epic_s_<12 hex of the installation>_<session id>. The client sends
-- only a SCRAM-SHA-256 verifier of a password it drew itself. The role is
-- VALID UNTIL the session's expiry, has a CONNECTION LIMIT (team_settings),
-- inherits epic_login (the authentication functions) and is a member of the
-- NOINHERIT reach role of its own department only (epic_as_<department>,
-- made by setup, sql/setup.sql), so it may become that department's role for
-- a transaction and never another's. A session is valid only on its own role
-- (session_identity, assert_session): a key used from another login is refused.
-- Ending a session (its row deleted: logout, revocation, the cap, management)
-- makes its role NOLOGIN, ends its backends and drops it; expired sessions and
-- roles left behind are swept at each login (this installation's only).
-- Setup gives epic_owner CREATEROLE and ADMIN OPTION on epic_login and the
-- reach roles (PostgreSQL 16+ lets a CREATEROLE role manage only the roles it
-- created or holds ADMIN OPTION on).

-- Making and ending a session's role rewrite the database's one catalog row
-- (its ACL: CONNECT granted and revoked), which PostgreSQL does not let two
-- transactions do at once ("tuple concurrently updated"): role changes queue
-- on this row, which only the owner may lock (an advisory lock could be held
-- by anyone where setup is no superuser), held until the login or the ending
-- commits.
create table session_role_lock (id boolean primary key default true check (id));
insert into session_role_lock default values;
revoke all on session_role_lock from public;

alter table sessions add column db_role text unique;

alter table team_settings
  add column session_connections integer not null default 6 check (session_connections between 1 and 100),
  add column sessions_per_user   integer not null default 50 check (sessions_per_user between 1 and 50);

-- The role name of a session of this installation.
create function session_role_name(p_session bigint) returns text
language sql stable security definer set search_path = epic, pg_temp
as $$
  select 'epic_s_' || left(replace(i.id::text, '-', ''), 12) || '_' || p_session from installation i
$$;
revoke all on function session_role_name(bigint) from public;

-- The role of a new session: p_verifier must be a SCRAM-SHA-256 verifier
-- (never a password: PostgreSQL would store a clear one as given).
-- (The expiry goes through text in the caller's settings: fixed ones, whatever the caller set.)
create function create_session_role(p_session bigint, p_department text, p_expires timestamptz, p_verifier text) returns text
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
revoke all on function create_session_role(bigint, text, timestamptz, text) from public;

-- A session's role ended: no new connection, its backends ended, dropped
-- (unless it is this connection's own role: the next sweep drops it).
create function end_session_role(p_role text) returns void
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
revoke all on function end_session_role(text) from public;

-- Expired sessions end, and so do roles of this installation no session holds.
create function sweep_session_roles() returns integer
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
declare
  v_prefix text := 'epic_s_' || left(replace((select i.id::text from installation i), '-', ''), 12) || '_';
  v_role text;
  n integer := 0;
begin
  delete from sessions s where s.id in (select o.id from sessions o where o.expires_at <= now() order by o.id limit 20 for update skip locked);
  for v_role in
    select r.rolname from pg_roles r
    where left(r.rolname, length(v_prefix)) = v_prefix
      and not exists (select from sessions s where s.db_role = r.rolname)
      and r.rolname <> session_user::text
  loop
    perform end_session_role(v_role);
    n := n + 1;
  end loop;
  return n;
end $$;
revoke all on function sweep_session_roles() from public;

create function sessions_end_role() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
begin
  perform end_session_role(old.db_role);
  return null;
end $$;
revoke all on function sessions_end_role() from public;
create trigger sessions_end_role after delete on sessions
  for each row when (old.db_role is not null) execute function sessions_end_role();

-- The login of 013, kept whole as the check (password, throttle, session),
-- for auth_change_password too; the login itself adds the session's role.
alter function auth_login(text, text, integer) rename to login_check;
-- The owner's alone: 013 granted auth_login to the departments too, and a session
-- as its department must not open role-less sessions with it.
revoke all on function login_check(text, text, integer) from public, epic_login, epic_management, epic_sales, epic_support;

create function auth_login(p_email text, p_password text, p_ttl_seconds integer, p_verifier text)
returns table (status text, "sessionKey" text, id integer, email text, "fullName" text, department text,
               "expiresAt" timestamptz, "lockedUntil" timestamptz, installation uuid, role text)
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
#variable_conflict use_column
declare
  v record;
  v_role text;
begin
  if p_verifier is null or p_verifier !~ '^SCRAM-SHA-256\$' then
    raise exception 'a session needs a SCRAM-SHA-256 verifier' using errcode = '22023';
  end if;
  perform sweep_session_roles();
  select * into v from login_check(p_email, p_password, p_ttl_seconds) c;
  if v.status = 'ok' then
    -- At most sessions_per_user live sessions: the oldest end first.
    delete from sessions s where s.user_id = v.id
      and s.id not in (select s2.id from sessions s2 where s2.user_id = v.id order by s2.id desc
                       limit (select t.sessions_per_user from team_settings t));
    v_role := create_session_role(split_part(v."sessionKey", '.', 1)::bigint, v.department, v."expiresAt", p_verifier);
  end if;
  return query select v.status, v."sessionKey", v.id, v.email, v."fullName", v.department, v."expiresAt", v."lockedUntil", v.installation, v_role;
end $$;
revoke all on function auth_login(text, text, integer, text) from public;
grant execute on function auth_login(text, text, integer, text) to epic_login;

-- Provisioning code's sessions (the demo, tests, the bench), as the owner:
-- the same role as a login makes.
drop function open_session_for(integer, integer);
create function open_session_for(p_user integer, p_ttl_seconds integer, p_verifier text)
returns table ("sessionKey" text, "expiresAt" timestamptz, installation uuid, role text)
language plpgsql volatile set search_path = epic, pg_temp
as $$
declare
  v_secret text := encode(gen_random_bytes(32), 'hex');
  v_id bigint;
  v_department text;
  v_expires timestamptz;
begin
  perform sweep_session_roles();
  insert into sessions (user_id, department, secret_hash, expires_at)
  values (p_user, (select d.name from users u join departments d on d.id = u.department_id where u.id = p_user),
          sha256(convert_to(v_secret, 'UTF8')), now() + make_interval(secs => p_ttl_seconds))
  returning sessions.id, sessions.department, sessions.expires_at into v_id, v_department, v_expires;
  return query select v_id || '.' || v_secret, v_expires, (select i.id from installation i),
                      create_session_role(v_id, v_department, v_expires, p_verifier);
end $$;
revoke all on function open_session_for(integer, integer, text) from public;

-- A session counts only on its own role.
create or replace function session_identity(out session_id bigint, out user_id integer, out department text)
language plpgsql stable security definer set search_path = epic, pg_temp
as $$
declare
  k text := current_setting('epic.session', true);
begin
  if k !~ '^[0-9]{1,18}\.[0-9a-f]{64}$' then
    return;
  end if;
  select s.id, s.user_id, s.department into session_id, user_id, department
  from sessions s
  where s.id = split_part(k, '.', 1)::bigint
    and s.secret_hash = sha256(convert_to(split_part(k, '.', 2), 'UTF8'))
    and s.expires_at > now()
    and not s.must_change
    and s.db_role = session_user::text;
end $$;

create or replace function assert_session(p_role text) returns boolean
language plpgsql stable security definer set search_path = epic, pg_temp
as $$
declare
  v_department text;
  v_expired    boolean;
  v_must       boolean;
  v_role       text;
begin
  select v.department, v.expired, s.must_change, s.db_role into v_department, v_expired, v_must, v_role
  from verified_session(current_setting('epic.session', true)) v join sessions s on s.id = v.session_id;
  if v_department is null then
    raise exception 'your session has ended (logged out, ended by management, or your password, email or department changed); log in again' using errcode = 'EP001';
  elsif v_expired then
    raise exception 'your session has expired' using errcode = 'EP002';
  elsif v_role is distinct from session_user::text then
    raise exception 'this session belongs to another database login' using errcode = 'EP001';
  elsif v_must then
    raise exception 'the password of this session was set by management: replace it first' using errcode = 'EP001';
  elsif 'epic_' || v_department <> p_role then
    raise exception 'your department changed; log in again' using errcode = 'EP001';
  end if;
  return true;
end $$;

-- 013's, checking the current password with login_check (no role made).
create or replace function auth_change_password(p_key text, p_old text, p_new text)
returns table (status text, "lockedUntil" timestamptz)
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
#variable_conflict use_column
declare
  v_user_id integer;
  v_email   text;
  v_check   record;
begin
  select v.user_id into v_user_id from verified_session(p_key) v where not v.expired;
  if v_user_id is null then
    raise exception 'your session has ended (logged out, ended by management, or your password, email or department changed); log in again' using errcode = 'EP001';
  end if;
  select u.email into v_email from users u where u.id = v_user_id for update;
  if p_new is null or char_length(p_new) < 12 then
    raise exception 'the new password must have at least 12 characters' using errcode = 'check_violation', constraint = 'password_min_length';
  elsif octet_length(p_new) > 72 then
    raise exception 'the new password must be at most 72 bytes' using errcode = 'check_violation', constraint = 'password_max_bytes';
  elsif p_new = p_old then
    raise exception 'the new password must differ from the current one' using errcode = 'check_violation', constraint = 'password_not_current';
  elsif lower(btrim(p_new)) = lower(v_email) then
    raise exception 'the new password must not be your email' using errcode = 'check_violation', constraint = 'password_not_email';
  end if;
  select * into v_check from login_check(v_email, p_old, 1);
  if v_check.status <> 'ok' then
    return query select v_check.status, v_check."lockedUntil";
    return;
  end if;
  delete from sessions s where s.id = split_part(v_check."sessionKey", '.', 1)::bigint;
  update sessions s set must_change = false where s.id = split_part(p_key, '.', 1)::bigint;
  perform set_config('epic.session', p_key, true);
  update users u set password_hash = crypt(p_new, gen_salt('bf', (select t.bcrypt_rounds from team_settings t))),
                     must_change_password = false, updated_at = now()
  where u.id = v_user_id;
  return query select 'ok'::text, null::timestamptz;
end $$;

-- 020's record of a session ended by the cap, with the team's bound (sessions_per_user) in place of 50.
create or replace function sessions_record_ending() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
declare
  v_reason text;
  v_newer  integer := (select t.sessions_per_user - 1 from team_settings t);
begin
  if old.expires_at <= now() then
    return null;
  end if;
  if not exists (select 1 from users u where u.id = old.user_id) then
    v_reason := 'deleted';
  elsif (select count(*) from (select 1 from sessions s where s.user_id = old.user_id and s.id > old.id limit v_newer) newer) >= v_newer then
    v_reason := 'cap';
  else
    return null;
  end if;
  insert into session_endings (session_id, secret_hash, reason) values (old.id, old.secret_hash, v_reason)
  on conflict (session_id) do nothing;
  delete from session_endings e where e.ended_at < now() - interval '31 days';
  return null;
end $$;

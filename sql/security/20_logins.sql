-- The security model, 2: logins, sessions and their roles, the throttle,
-- passwords. The runtime login role (member of epic_login) may call only the
-- auth_* functions granted in 90_grants.sql; auth_login compares the password
-- inside PostgreSQL (login_check, throttled by login_attempts), opens a
-- session (a secret stored as its SHA-256) and makes the session's own login
-- role (create_session_role), which is dropped when the session ends
-- (sessions_end_role). Each is SECURITY DEFINER as epic_owner with a fixed
-- search_path, but open_session_for (the owner's own, granted to nobody) and
-- users_password_chooser (it reads the role of the statement). README
-- "Security model" says why each is so.

-- The email's standing: locked until when (null: not locked) and the failures
-- counted toward the next lockout.
create or replace function login_standing(p_email text, out locked_until timestamptz, out failures integer)
language plpgsql stable security definer set search_path = epic, pg_temp
as $$
declare
  c_window constant interval := interval '15 minutes';
  v_since bigint;
begin
  select coalesce(max(a.id), 0) into v_since from login_attempts a where a.email = p_email and a.outcome = 'reset';
  select max(a.locked_until) into locked_until from login_attempts a
  where a.email = p_email and a.outcome = 'lockout' and a.id > v_since;
  if locked_until <= now() then
    locked_until := null;
  end if;
  select count(*) into failures from login_attempts a
  where a.email = p_email and a.outcome = 'failure' and a.at > now() - c_window
    and a.id > greatest(v_since, coalesce((select max(l.id) from login_attempts l where l.email = p_email and l.outcome = 'lockout'), 0));
end $$;

-- The comparison of a login: the email's standing (locked?), the password
-- compared with its bcrypt hash (pgcrypto's crypt()), a failure appended to
-- login_attempts (five in 15 minutes lock the email for 15 minutes, history
-- 'lockout'), and on success a session row (its secret returned once, kept as
-- its SHA-256) expiring after the team's TOKEN_TTL at most. No role is made:
-- auth_login makes it; auth_check_own_password and auth_change_password
-- only compare. Granted to nobody.
create or replace function login_check(p_email text, p_password text, p_ttl_seconds integer)
returns table (status text, "sessionKey" text, id integer, email text, "fullName" text, department text,
               "expiresAt" timestamptz, "lockedUntil" timestamptz, installation uuid)
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
#variable_conflict use_column
declare
  -- 5 failures within 15 minutes lock the email for 15 minutes.
  c_max_failures constant integer  := 5;
  c_lock         constant interval := interval '15 minutes';
  -- Attempts older than this count for nothing and are removed.
  c_keep         constant interval := interval '1 hour';
  c_max_sessions constant integer  := 50;
  v_email    text := lower(btrim(coalesce(p_email, '')));
  v_lock_timeout text := current_setting('lock_timeout');
  v_standing record;
  v_user     record;
  v_hash     text;
  v_matches  boolean;
  v_secret   text;
  v_session  bigint;
  v_expires  timestamptz;
  v_locked   timestamptz;
begin
  if length(v_email) not between 3 and 254 or p_password is null then
    return query select 'wrong'::text, null::text, null::integer, null::text, null::text, null::text, null::timestamptz, null::timestamptz, null::uuid;
    return;
  end if;
  -- Guesses at one email queue here, so each sees the count the previous one
  -- committed. A transaction left open on this lock (or a session holding the
  -- same key) delays a login by one second at most: after it the login goes
  -- on, counting the attempts committed so far.
  perform set_config('lock_timeout', '1s', true);
  begin
    perform pg_advisory_xact_lock(4242002, hashtext(v_email));
  exception when lock_not_available then
    null;
  end;
  perform set_config('lock_timeout', v_lock_timeout, true);

  -- Old attempts expire (a few at a time, never waiting on a row).
  delete from login_attempts a where a.id in
    (select o.id from login_attempts o where o.at < now() - c_keep order by o.at limit 20 for update skip locked);

  select * into v_standing from login_standing(v_email);
  if v_standing.locked_until is not null then
    return query select 'locked'::text, null::text, null::integer, null::text, null::text, null::text, null::timestamptz, v_standing.locked_until, null::uuid;
    return;
  end if;

  select u.id, u.email, u.full_name, d.name as department, u.password_hash, u.must_change_password into v_user
  from users u join departments d on d.id = u.department_id
  where lower(u.email) = v_email;
  -- Unknown emails cost a real compare too (another collaborator's hash: same cost).
  v_hash := coalesce(v_user.password_hash, (select password_hash from users order by id limit 1),
                     '$2a$04$ZZZZZZZZZZZZZZZZZZZZZOZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ');
  -- pgcrypto reads $2a$; a $2b$ hash is the same below 255 bytes of password.
  v_hash := '$2a$' || substr(v_hash, 5);
  v_matches := crypt(p_password, v_hash) = v_hash;

  if v_user.id is not null and v_matches and octet_length(p_password) <= 72 then
    if v_standing.failures > 0 then
      insert into login_attempts (email, outcome, client_addr) values (v_email, 'reset', inet_client_addr());
    end if;
    delete from sessions s where s.user_id = v_user.id
      and (s.expires_at <= now()
           or s.id not in (select s2.id from sessions s2 where s2.user_id = v_user.id order by s2.id desc limit c_max_sessions - 1));
    v_secret := encode(gen_random_bytes(32), 'hex');
    insert into sessions (user_id, department, secret_hash, expires_at, must_change)
    values (v_user.id, v_user.department, sha256(convert_to(v_secret, 'UTF8')),
            now() + least(make_interval(secs => greatest(coalesce(p_ttl_seconds, 0), 1)), (select t.token_ttl from team_settings t)),
            v_user.must_change_password)
    returning sessions.id, sessions.expires_at into v_session, v_expires;
    return query select 'ok'::text, v_session || '.' || v_secret, v_user.id, v_user.email, v_user.full_name, v_user.department,
                        v_expires, null::timestamptz, (select i.id from installation i);
    return;
  end if;

  insert into login_attempts (email, outcome, client_addr) values (v_email, 'failure', inet_client_addr());
  if v_standing.failures + 1 >= c_max_failures then
    v_locked := now() + c_lock;
    insert into login_attempts (email, outcome, client_addr, locked_until) values (v_email, 'lockout', inet_client_addr(), v_locked);
    -- History for collaborators only, with where the guesses came from; an
    -- unknown email leaves nothing lasting.
    if v_user.id is not null then
      perform log_change('user', v_user.id, 'lockout', null,
        format('%s failed logins from %s: locked until %s', c_max_failures,
               coalesce(host(inet_client_addr()), 'a local socket'), to_char(v_locked at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')));
    end if;
    return query select 'lockedNow'::text, null::text, null::integer, null::text, null::text, null::text, null::timestamptz, v_locked, null::uuid;
    return;
  end if;
  return query select 'wrong'::text, null::text, null::integer, null::text, null::text, null::text, null::timestamptz, null::timestamptz, null::uuid;
end $$;

-- A login (the runtime role's): login_check, then at most sessions_per_user
-- live sessions (the oldest end), then the session's own login role, whose
-- password the shell drew and sends only as its SCRAM verifier.
create or replace function auth_login(p_email text, p_password text, p_ttl_seconds integer, p_verifier text)
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

-- What the shell needs to know of a session key: who, until when, which installation.
create or replace function auth_session(p_key text)
returns table (id integer, email text, "fullName" text, department text, "expiresAt" timestamptz, expired boolean, installation uuid)
language sql stable security definer set search_path = epic, pg_temp
as $$
  select u.id, u.email, u.full_name, v.department, v.expires_at, v.expired, (select i.id from installation i)
  from verified_session(p_key) v join users u on u.id = v.user_id
$$;

-- The ending kept for a session key ('deleted' or 'cap'), or null.
create or replace function auth_session_ending(p_key text) returns text
language sql stable security definer set search_path = epic, pg_temp
as $$
  select e.reason from session_endings e
  where e.session_id = case when p_key ~ '^[0-9]{1,18}\.[0-9a-f]{64}$' then split_part(p_key, '.', 1)::bigint end
    and e.secret_hash = sha256(convert_to(split_part(p_key, '.', 2), 'UTF8'))
$$;

-- logout: the session ends (its role goes with it: sessions_end_role). True
-- when the key named a live session.
create or replace function auth_logout(p_key text) returns boolean
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
declare
  v_user integer;
begin
  delete from sessions s using verified_session(p_key) v where s.id = v.session_id returning s.user_id into v_user;
  if v_user is null then
    return false;
  end if;
  perform pg_notify('epic_session', '');
  return true;
end $$;

-- Whether the session's collaborator must choose a new password before working.
create or replace function auth_password_change_due(p_key text) returns boolean
language sql stable security definer set search_path = epic, pg_temp
as $$
  select coalesce((select u.must_change_password from verified_session(p_key) v join users u on u.id = v.user_id), false)
$$;

-- passwd() checks the current password before it asks the new one. The
-- check alone, exactly as auth_change_password checks it: the
-- session must be a live one, and the password is compared by login_check,
-- so a wrong one counts as a failed login (throttled, five lock the email)
-- and the answer is only ok | wrong | locked | lockedNow. The session the
-- comparison opens is closed at once; nothing else changes.
create or replace function auth_check_own_password(p_key text, p_password text)
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
  select u.email into v_email from users u where u.id = v_user_id;
  select * into v_check from login_check(v_email, p_password, 1);
  if v_check.status = 'ok' then
    delete from sessions s where s.id = split_part(v_check."sessionKey", '.', 1)::bigint;
  end if;
  return query select v_check.status, v_check."lockedUntil";
end $$;

-- A session's own password changed: the current one compared as a login
-- compares it (login_check: the same throttle, no role made), the new one's
-- rules checked here and hashed at the team's bcrypt cost; every session of
-- the collaborator ends (users_end_sessions).
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

-- Management lifts a lockout (users.unlock).
create or replace function unlock_login(p_email text) returns boolean
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
begin
  perform require_management();
  return admin_unlock(p_email);
end $$;

-- Any lockout lifted: management's users.unlock, and `epic-events unlock EMAIL`
-- on the administrator's connection (as the owner: no grant), the way back
-- when the only manager is locked out.
create or replace function admin_unlock(p_email text) returns boolean
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
declare
  v_email text := lower(btrim(coalesce(p_email, '')));
  v_locked timestamptz;
begin
  if length(v_email) not between 3 and 254 then
    return false;
  end if;
  v_locked := (login_standing(v_email)).locked_until;
  insert into login_attempts (email, outcome, client_addr) values (v_email, 'reset', inet_client_addr());
  return v_locked is not null;
end $$;

-- The role name of a session of this installation.
create or replace function session_role_name(p_session bigint) returns text
language sql stable security definer set search_path = epic, pg_temp
as $$
  select 'epic_s_' || left(replace(i.id::text, '-', ''), 12) || '_' || p_session from installation i
$$;

-- The role of a new session: p_verifier must be a SCRAM-SHA-256 verifier
-- (never a password: PostgreSQL would store a clear one as given).
-- (The expiry goes through text in the caller's settings: fixed ones, whatever the caller set.)
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

-- A session's role ended: no new connection, its backends ended, dropped
-- (unless it is this connection's own role: the next sweep drops it).
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

-- Expired sessions end, and so do roles of this installation no session holds.
create or replace function sweep_session_roles() returns integer
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

-- A session opened without a password, for the owner only (setup's first
-- collaborator, the demo, the test suite): not SECURITY DEFINER, granted to nobody.
create or replace function open_session_for(p_user integer, p_ttl_seconds integer, p_verifier text)
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

-- users.sessions(id): management sees a collaborator's live sessions.
create or replace function user_sessions(p_user integer)
returns table (id bigint, "createdAt" timestamptz, "expiresAt" timestamptz, current boolean)
language plpgsql stable security definer set search_path = epic, pg_temp
as $$
#variable_conflict use_column
begin
  perform require_management();
  return query
    select s.id, s.created_at, s.expires_at, s.id = (select i.session_id from session_identity() i)
    from sessions s where s.user_id = p_user and s.expires_at > now() order by s.id;
end $$;

-- users.endSessions(id): management ends them all (in the history, no name on
-- the epic_session notification).
create or replace function end_user_sessions(p_user integer) returns integer
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
declare
  n integer;
begin
  perform require_management();
  delete from sessions s where s.user_id = p_user;
  get diagnostics n = row_count;
  perform pg_notify('epic_session', '');
  perform log_change('user', p_user, 'sessions ended', null, n || ' session' || case when n = 1 then '' else 's' end);
  return n;
end $$;

-- A collaborator deleted, or given a new password, email or department: their
-- sessions end (a password changed in this session keeps this one), and shells
-- listening on epic_session look at their own.
create or replace function users_end_sessions() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
begin
  if tg_op = 'DELETE'
     or new.password_hash is distinct from old.password_hash
     or new.department_id is distinct from old.department_id
     or lower(new.email) is distinct from lower(old.email) then
    delete from sessions s where s.user_id = old.id
      and (tg_op = 'DELETE' or new.department_id is distinct from old.department_id
           or s.id is distinct from (select i.session_id from session_identity() i));
    perform pg_notify('epic_session', '');
  end if;
  return null;
end $$;

-- A session gone takes its login role with it.
create or replace function sessions_end_role() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
begin
  perform end_session_role(old.db_role);
  return null;
end $$;

-- Why a session ended, kept for auth_session_ending: 'deleted' (its collaborator
-- was) or 'cap' (beyond the team's bound, sessions_per_user).
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

-- Not security definer: current_user is the role of the statement. A
-- department role (management) setting someone else's password sets the flag;
-- the owner (setup's first collaborator, the demo, auth_change_password above)
-- leaves it as given.
create or replace function users_password_chooser() returns trigger
language plpgsql set search_path = epic, pg_temp
as $$
begin
  if current_user::text not in ('epic_management', 'epic_sales', 'epic_support') then
    return new;
  end if;
  if tg_op = 'INSERT' then
    new.must_change_password := true;
  elsif new.password_hash is distinct from old.password_hash then
    new.must_change_password := new.id is distinct from current_collaborator_id();
  else
    new.must_change_password := old.must_change_password;
  end if;
  return new;
end $$;

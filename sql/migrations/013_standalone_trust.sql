-- 013: trust points that hold on their own. Runs as epic_owner with search_path = epic.
--
-- * The login throttle no longer waits on a row lock another connection can
--   hold: failed attempts, lockouts and resets are appended to login_attempts
--   (nothing is updated in place), guesses at one email queue on an advisory
--   lock for at most one second, and the rows expire after an hour.
-- * A lockout records where the guesses came from (inet_client_addr()), never
--   the caller's text; unknown emails leave no history entry.
-- * The team's session lifetime (TOKEN_TTL) and bcrypt cost are kept here
--   (team_settings, written by setup): a login never lasts longer, whatever the
--   client asks.
-- * A session opened with a password management set can do nothing but
--   replace it (session_identity gives no collaborator for it), and the new
--   password's rules are checked here, where it is hashed.
-- * History labels come only from the functions that do the work: "payment"
--   only when pay_contract() itself made the change, whatever a session sets.
-- * created_at/updated_at are the database's: a department role can only
--   stamp "now" or leave them.
-- * Revocations are announced on epic_session with no payload: a listener
--   learns that something ended, not whose.

-- 1. The team's settings --------------------------------------------------------

create table team_settings (
  singleton     boolean primary key default true check (singleton),
  token_ttl     interval not null default interval '8 hours' check (token_ttl > interval '0' and token_ttl <= interval '30 days'),
  bcrypt_rounds integer  not null default 12 check (bcrypt_rounds between 4 and 31)
);
insert into team_settings default values;
revoke all on team_settings from public;

-- 2. The throttle, append-only ------------------------------------------------

drop trigger login_throttle_log on login_throttle;
drop function log_lockout();
drop table login_throttle;

create table login_attempts (
  id           bigint generated always as identity primary key,
  email        text not null check (email = lower(email) and length(email) between 3 and 254),
  at           timestamptz not null default now(),
  -- failure: a wrong password; lockout: the failure that locked the email
  -- (locked_until set); reset: a right password or an unlock, after which
  -- earlier failures and lockouts no longer count.
  outcome      text not null check (outcome in ('failure', 'lockout', 'reset')),
  client_addr  inet,
  locked_until timestamptz check ((outcome = 'lockout') = (locked_until is not null))
);
create index login_attempts_email_idx on login_attempts (email, id);
create index login_attempts_at_idx on login_attempts (at);
revoke all on login_attempts from public;

-- The email's standing: locked until when (null: not locked) and the failures
-- counted toward the next lockout.
create function login_standing(p_email text, out locked_until timestamptz, out failures integer)
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
revoke all on function login_standing(text) from public;

-- Sessions remember whether the password was management's: such a session
-- can only replace it (session_identity below gives it no collaborator).
alter table sessions add column must_change boolean not null default false;

create or replace function auth_login(p_email text, p_password text, p_ttl_seconds integer)
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
create function admin_unlock(p_email text) returns boolean
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
revoke all on function admin_unlock(text) from public;

-- 3. Sessions with a password to replace ---------------------------------------

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
    and not s.must_change;
end $$;

create or replace function assert_session(p_role text) returns boolean
language plpgsql stable security definer set search_path = epic, pg_temp
as $$
declare
  v_department text;
  v_expired    boolean;
  v_must       boolean;
begin
  select v.department, v.expired, s.must_change into v_department, v_expired, v_must
  from verified_session(current_setting('epic.session', true)) v join sessions s on s.id = v.session_id;
  if v_department is null then
    raise exception 'your session has ended (logged out, ended by management, or your password, email or department changed); log in again' using errcode = 'EP001';
  elsif v_expired then
    raise exception 'your session has expired' using errcode = 'EP002';
  elsif v_must then
    raise exception 'the password of this session was set by management: replace it first' using errcode = 'EP001';
  elsif 'epic_' || v_department <> p_role then
    raise exception 'your department changed; log in again' using errcode = 'EP001';
  end if;
  return true;
end $$;

-- One's own new password: the current one checked as a login checks it, the
-- new one's rules checked here and hashed here (the team's bcrypt cost), so
-- raw SQL gets no weaker password than the shell. status: ok | wrong | locked
-- | lockedNow; a rule broken is a check_violation naming it.
drop function auth_change_password(text, text, text);
create function auth_change_password(p_key text, p_old text, p_new text)
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
  select * into v_check from auth_login(v_email, p_old, 1);
  if v_check.status <> 'ok' then
    return query select v_check.status, v_check."lockedUntil";
    return;
  end if;
  -- The check opened a session of its own: it is not wanted.
  delete from sessions s where s.id = split_part(v_check."sessionKey", '.', 1)::bigint;
  -- This session is the one making the change: 006's trigger keeps it and ends
  -- the others, and the change log names the collaborator.
  update sessions s set must_change = false where s.id = split_part(p_key, '.', 1)::bigint;
  perform set_config('epic.session', p_key, true);
  update users u set password_hash = crypt(p_new, gen_salt('bf', (select t.bcrypt_rounds from team_settings t))),
                     must_change_password = false, updated_at = now()
  where u.id = v_user_id;
  return query select 'ok'::text, null::timestamptz;
end $$;
revoke all on function auth_change_password(text, text, text) from public;
grant execute on function auth_change_password(text, text, text) to epic_login, epic_management, epic_sales, epic_support;

-- 4. History labels from the work itself ----------------------------------------

-- Whether the statement being logged was run by pay_contract() called by the
-- client: the outermost frame of the call stack is pay_contract's. A session
-- can write any setting, but cannot make its own statement run inside that
-- function (it creates no functions; a DO block's frame is inline_code_block).
create function made_by_pay_contract() returns boolean
language plpgsql stable set search_path = epic, pg_temp
as $$
declare
  v_stack text;
begin
  get diagnostics v_stack = pg_context;
  return (regexp_split_to_array(v_stack, E'\n'))[array_upper(regexp_split_to_array(v_stack, E'\n'), 1)]
         ~ '^PL/pgSQL function (epic\.)?pay_contract\(integer,numeric\) line [0-9]+ at SQL statement$';
end $$;
revoke all on function made_by_pay_contract() from public;

create or replace function log_record_change() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
declare
  v_object  text := case tg_table_name when 'clients' then 'client' when 'contracts' then 'contract' when 'events' then 'event' end;
  v_changes jsonb;
  v_action  text;
begin
  if tg_op = 'INSERT' then
    perform log_change(v_object, new.id, 'created', null, null);
    return null;
  end if;
  v_changes := changed_fields(to_jsonb(old), to_jsonb(new));
  if v_changes = '{}'::jsonb then
    return null;
  end if;
  v_action := case
    when v_object = 'contract' and v_changes ? 'signedAt' and v_changes #> '{signedAt,0}' = 'null'::jsonb then 'signed'
    when v_object = 'contract' and v_changes ? 'amountDue' and not v_changes ? 'totalAmount'
         and made_by_pay_contract() then 'payment'
    when v_changes - 'salesContactId' - 'supportContactId' = '{}'::jsonb then 'assigned'
    else 'updated'
  end;
  -- A note only for an import (clients' inserts, 011); an update carries none.
  perform log_change(v_object, new.id, v_action, v_changes, null);
  return null;
end $$;

-- log_change took a note from epic.change_note when given none: only the
-- import's own entries (011, which passes it itself) carry one now.
create or replace function log_change(p_object text, p_record integer, p_action text, p_changes jsonb, p_note text) returns void
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
declare
  v_actor integer := current_collaborator_id();
begin
  insert into change_log (actor_id, actor_name, object, record_id, action, changes, note)
  values (v_actor, coalesce((select u.full_name from users u where u.id = v_actor), 'system'),
          p_object, p_record, p_action, nullif(p_changes, '{}'::jsonb), left(p_note, 500));
end $$;

-- 5. Timestamps kept by the database ---------------------------------------------

-- For the department roles: created_at is now at insert and never changes;
-- updated_at is now or left as it was (a statement may stamp it, never back-date it).
-- The owner (setup, demo data, migrations) writes what it means.
create function keep_timestamps() returns trigger
language plpgsql set search_path = epic, pg_temp
as $$
begin
  if current_user::text not in ('epic_management', 'epic_sales', 'epic_support') then
    return new;
  end if;
  if tg_op = 'INSERT' then
    new.created_at := now();
    new.updated_at := now();
  else
    new.created_at := old.created_at;
    if new.updated_at is distinct from old.updated_at then
      new.updated_at := now();
    end if;
  end if;
  return new;
end $$;
revoke all on function keep_timestamps() from public;
create trigger clients_keep_timestamps before insert or update on clients for each row execute function keep_timestamps();
create trigger contracts_keep_timestamps before insert or update on contracts for each row execute function keep_timestamps();
create trigger events_keep_timestamps before insert or update on events for each row execute function keep_timestamps();
create trigger users_keep_timestamps before insert or update on users for each row execute function keep_timestamps();

-- 6. Revocations announced without a name ---------------------------------------

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

-- 006: sessions the database verifies. Runs as epic_owner with search_path = epic.
--
-- Until now PostgreSQL trusted what the shell told it: any holder of the
-- runtime role's password could set `role` and `epic.user_id` and act as
-- anyone. From here on:
--
-- * Login is decided here: auth_login checks the password against the stored
--   bcrypt hash with pgcrypto's crypt(), applies the throttle under a row lock
--   in the same call, and opens a session: a random 256-bit secret returned
--   once and stored only as its SHA-256.
-- * Every transaction presents its session key (`epic.session`). Grants,
--   row-level security and triggers take the collaborator and department only
--   from a verified, unexpired session: a restrictive policy on every table
--   requires the department role in force to be the session's own.
-- * Rules that lived only in TypeScript now live here too.

create extension if not exists pgcrypto;

-- One row: which installation this database is (tokens name it).
create table installation (
  singleton boolean primary key default true check (singleton),
  id        uuid not null default gen_random_uuid(),
  created_at timestamptz not null default now()
);
insert into installation default values;

create table sessions (
  id          bigint generated always as identity primary key,
  user_id     integer not null references users (id) on delete cascade,
  -- The collaborator's department when the session opened. A change of
  -- department ends their sessions (users_end_sessions below), so it is
  -- always current, and checking a session reads this one table.
  department  text not null check (department in ('management', 'sales', 'support')),
  secret_hash bytea not null check (octet_length(secret_hash) = 32),
  created_at  timestamptz not null default now(),
  expires_at  timestamptz not null
);
create index sessions_user_idx on sessions (user_id, id);

-- Nobody but the owner reads or writes either table.
revoke all on installation, sessions from public;

-- Old tokens carried a version; sessions replace them. Every open session of
-- the previous release ends here (the user types the password once).
drop trigger users_session_revoked on users;
drop trigger users_session_deleted on users;
drop trigger users_bump_token_version on users;
drop function users_bump_token_version();
drop function notify_session_change();
drop function assert_session(integer, integer, text);
drop function auth_credentials(text);
drop function auth_session_user(integer);
drop function auth_locked_until(text);
drop function auth_record_failure(text, integer);
drop function auth_lock_out(text, integer);
drop function auth_clear_failures(text);
revoke all on login_throttle from epic_runtime;

-- A session key is `<id>.<64 hex characters>`; anything else matches nothing.
-- These functions run in every statement's policies: each reads the sessions
-- table once, by primary key, and nothing else.
create function verified_session(p_key text)
returns table (session_id bigint, user_id integer, department text, expires_at timestamptz, expired boolean)
language sql stable security definer set search_path = epic, pg_temp
as $$
  select s.id, s.user_id, s.department, s.expires_at, s.expires_at <= now()
  from sessions s
  where s.id = case when p_key ~ '^[0-9]{1,18}\.[0-9a-f]{64}$' then split_part(p_key, '.', 1)::bigint end
    and s.secret_hash = sha256(convert_to(split_part(p_key, '.', 2), 'UTF8'))
$$;

-- The verified, unexpired session of this transaction (no row without one).
-- The same lookup as verified_session, written out rather than called: every
-- statement's policies run it, so it is PL/pgSQL (its plan cached for the
-- connection's life) and reads one row by primary key, nothing more.
create function session_identity(out session_id bigint, out user_id integer, out department text)
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
    and s.expires_at > now();
end $$;

-- The caller, as a verified session says (null without one). Replaces 003's
-- reading of a setting anyone could write.
create or replace function current_collaborator_id() returns integer
language plpgsql stable security definer set search_path = epic, pg_temp
as $$
begin
  return (session_identity()).user_id;
end $$;

-- Whether the role in force ($1, the policy's current_user) is the verified
-- session's own department role.
create function session_acts_as(p_role text) returns boolean
language plpgsql stable security definer set search_path = epic, pg_temp
as $$
begin
  return coalesce('epic_' || (session_identity()).department = p_role, false);
end $$;

create function session_department() returns text
language sql stable security definer set search_path = epic, pg_temp
as $$ select department from session_identity() $$;

revoke all on function verified_session(text), session_identity(), session_acts_as(text), session_department() from public;
grant execute on function session_identity(), session_acts_as(text), session_department()
  to epic_management, epic_sales, epic_support;

-- The first statement of every transaction (sql/session.sql) calls this after
-- setting `role` and `epic.session`: a clear error when the session is gone,
-- expired or not the department's. Skipping it gains nothing: the policies
-- below check the same thing on every row.
create function assert_session(p_role text) returns boolean
language plpgsql stable security definer set search_path = epic, pg_temp
as $$
declare
  v_department text;
  v_expired    boolean;
begin
  select v.department, v.expired into v_department, v_expired
  from verified_session(current_setting('epic.session', true)) v;
  if v_department is null then
    raise exception 'your session has ended (logged out, ended by management, or your password, email or department changed); log in again' using errcode = 'EP001';
  elsif v_expired then
    raise exception 'your session has expired' using errcode = 'EP002';
  elsif 'epic_' || v_department <> p_role then
    raise exception 'your department changed; log in again' using errcode = 'EP001';
  end if;
  return true;
end $$;
revoke all on function assert_session(text) from public;
-- epic_login too: the permission is checked before set_config('role') has run.
grant execute on function assert_session(text) to epic_login, epic_management, epic_sales, epic_support;

-- Every department policy now also needs the session to be that department's.
-- Restrictive: ANDed with the permissive policies of 003.
alter table users enable row level security;
alter table departments enable row level security;

create policy users_read on users for select to epic_management, epic_sales, epic_support using (true);
create policy users_management_insert on users for insert to epic_management with check (true);
create policy users_management_update on users for update to epic_management using (true) with check (true);
create policy users_management_delete on users for delete to epic_management using (true);
create policy departments_read on departments for select to epic_management, epic_sales, epic_support using (true);

create policy clients_session on clients as restrictive to epic_management, epic_sales, epic_support
  using ((select session_acts_as(current_user::text))) with check ((select session_acts_as(current_user::text)));
create policy contracts_session on contracts as restrictive to epic_management, epic_sales, epic_support
  using ((select session_acts_as(current_user::text))) with check ((select session_acts_as(current_user::text)));
create policy events_session on events as restrictive to epic_management, epic_sales, epic_support
  using ((select session_acts_as(current_user::text))) with check ((select session_acts_as(current_user::text)));
create policy users_session on users as restrictive to epic_management, epic_sales, epic_support
  using ((select session_acts_as(current_user::text))) with check ((select session_acts_as(current_user::text)));
create policy departments_session on departments as restrictive to epic_management, epic_sales, epic_support
  using ((select session_acts_as(current_user::text)));

-- Client search through the trigram indexes (004). ILIKE is not leakproof, so
-- under the policies above PostgreSQL may not use an index for it. This view
-- reads clients as its owner (everyone may read every client) once the
-- session is verified, so a search on it uses the indexes; the page is then
-- read under the policies as usual (sql/clients.sql searchClients).
create view client_search as
  select c.id, c.full_name, c.email, c.company_name
  from clients c
  where (select session_acts_as(current_user::text));
grant select on client_search to epic_management, epic_sales, epic_support;

-- Login. The runtime role may call this and the two functions after it, nothing else.
create function auth_login(p_email text, p_password text, p_ttl_seconds integer)
returns table (status text, "sessionKey" text, id integer, email text, "fullName" text, department text,
               "expiresAt" timestamptz, "lockedUntil" timestamptz, installation uuid)
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
#variable_conflict use_column
declare
  -- The throttle: 5 failures within 15 minutes lock the email for 15 minutes.
  c_max_failures constant integer  := 5;
  c_window       constant interval := interval '15 minutes';
  c_lock         constant interval := interval '15 minutes';
  -- However long the shell asks for, a session ends within 30 days.
  c_max_ttl      constant interval := interval '30 days';
  c_max_sessions constant integer  := 50;
  v_email    text := lower(btrim(coalesce(p_email, '')));
  v_throttle login_throttle%rowtype;
  v_user     record;
  v_hash     text;
  v_matches  boolean;
  v_secret   text;
  v_session  bigint;
  v_expires  timestamptz;
  v_failures integer;
  v_locked   timestamptz;
begin
  if length(v_email) not between 3 and 254 or p_password is null then
    return query select 'wrong'::text, null::text, null::integer, null::text, null::text, null::text, null::timestamptz, null::timestamptz, null::uuid;
    return;
  end if;
  -- One row per email, locked for the whole check: concurrent guesses queue
  -- here and each sees the count the previous one left.
  -- A success or an unlock deletes the row: whoever was queued on it inserts it again.
  loop
    insert into login_throttle (email) values (v_email) on conflict do nothing;
    select * into v_throttle from login_throttle t where t.email = v_email for update;
    exit when found;
  end loop;
  if v_throttle.locked_until > now() then
    return query select 'locked'::text, null::text, null::integer, null::text, null::text, null::text, null::timestamptz, v_throttle.locked_until, null::uuid;
    return;
  end if;

  select u.id, u.email, u.full_name, d.name as department, u.password_hash into v_user
  from users u join departments d on d.id = u.department_id
  where lower(u.email) = v_email;
  -- Unknown emails cost a real compare too (another collaborator's hash: same cost).
  v_hash := coalesce(v_user.password_hash, (select password_hash from users order by id limit 1),
                     '$2a$04$ZZZZZZZZZZZZZZZZZZZZZOZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ');
  -- pgcrypto reads $2a$; a $2b$ hash is the same below 255 bytes of password.
  v_hash := '$2a$' || substr(v_hash, 5);
  v_matches := crypt(p_password, v_hash) = v_hash;

  if v_user.id is not null and v_matches and octet_length(p_password) <= 72 then
    delete from login_throttle t where t.email = v_email;
    delete from sessions s where s.user_id = v_user.id
      and (s.expires_at <= now()
           or s.id not in (select s2.id from sessions s2 where s2.user_id = v_user.id order by s2.id desc limit c_max_sessions - 1));
    v_secret := encode(gen_random_bytes(32), 'hex');
    insert into sessions (user_id, department, secret_hash, expires_at)
    values (v_user.id, v_user.department, sha256(convert_to(v_secret, 'UTF8')),
            now() + least(make_interval(secs => greatest(coalesce(p_ttl_seconds, 0), 1)), c_max_ttl))
    returning sessions.id, sessions.expires_at into v_session, v_expires;
    return query select 'ok'::text, v_session || '.' || v_secret, v_user.id, v_user.email, v_user.full_name, v_user.department,
                        v_expires, null::timestamptz, (select i.id from installation i);
    return;
  end if;

  update login_throttle t set
    failures          = case when t.window_started_at > now() - c_window then t.failures + 1 else 1 end,
    window_started_at = case when t.window_started_at > now() - c_window then t.window_started_at else now() end,
    locked_until      = null
  where t.email = v_email
  returning t.failures into v_failures;
  if v_failures >= c_max_failures then
    update login_throttle t set locked_until = now() + c_lock, failures = 0, window_started_at = now()
    where t.email = v_email returning t.locked_until into v_locked;
    return query select 'lockedNow'::text, null::text, null::integer, null::text, null::text, null::text, null::timestamptz, v_locked, null::uuid;
    return;
  end if;
  return query select 'wrong'::text, null::text, null::integer, null::text, null::text, null::text, null::timestamptz, null::timestamptz, null::uuid;
end $$;

-- What the shell needs to know of a session key: who, until when, which installation.
create function auth_session(p_key text)
returns table (id integer, email text, "fullName" text, department text, "expiresAt" timestamptz, expired boolean, installation uuid)
language sql stable security definer set search_path = epic, pg_temp
as $$
  select u.id, u.email, u.full_name, v.department, v.expires_at, v.expired, (select i.id from installation i)
  from verified_session(p_key) v join users u on u.id = v.user_id
$$;

-- Logout: the session ends here, whatever copies of the token exist.
create function auth_logout(p_key text) returns boolean
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
declare
  v_user integer;
begin
  delete from sessions s using verified_session(p_key) v where s.id = v.session_id returning s.user_id into v_user;
  if v_user is null then
    return false;
  end if;
  perform pg_notify('epic_session', v_user::text);
  return true;
end $$;

revoke all on function auth_login(text, text, integer), auth_session(text), auth_logout(text) from public;
grant execute on function auth_login(text, text, integer), auth_session(text), auth_logout(text) to epic_login;
-- A pooled connection may hold a department role between calls (read-only
-- statements, sql/session.sql setStandingIdentity): logins and session
-- checks on it must still work.
grant execute on function auth_login(text, text, integer), auth_session(text), auth_logout(text) to epic_management, epic_sales, epic_support;

-- Sessions for provisioning code running as the owner (demo, tests, bench).
create function open_session_for(p_user integer, p_ttl_seconds integer)
returns table ("sessionKey" text, "expiresAt" timestamptz, installation uuid)
language plpgsql volatile set search_path = epic, pg_temp
as $$
declare
  v_secret text := encode(gen_random_bytes(32), 'hex');
  v_id bigint;
  v_expires timestamptz;
begin
  insert into sessions (user_id, department, secret_hash, expires_at)
  values (p_user, (select d.name from users u join departments d on d.id = u.department_id where u.id = p_user),
          sha256(convert_to(v_secret, 'UTF8')), now() + make_interval(secs => p_ttl_seconds))
  returning sessions.id, sessions.expires_at into v_id, v_expires;
  return query select v_id || '.' || v_secret, v_expires, (select i.id from installation i);
end $$;
revoke all on function open_session_for(integer, integer) from public;

-- Management: see and end a collaborator's sessions, lift a lockout.
create function require_management() returns integer
language plpgsql stable security definer set search_path = epic, pg_temp
as $$
declare
  v record;
begin
  select * into v from session_identity();
  if v.department is distinct from 'management' then
    raise exception 'only management may do this' using errcode = '42501';
  end if;
  return v.user_id;
end $$;

create function user_sessions(p_user integer)
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

-- end_user_sessions(p_user) comes with the change log (007), which records it.

create function unlock_login(p_email text) returns boolean
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
declare
  v_until timestamptz;
begin
  perform require_management();
  delete from login_throttle t where t.email = lower(btrim(p_email)) returning t.locked_until into v_until;
  return v_until is not null and v_until > now();
end $$;

revoke all on function require_management(), user_sessions(integer), unlock_login(text) from public;
grant execute on function user_sessions(integer), unlock_login(text) to epic_management;

-- A new password, email or department, or a deletion, ends every session of
-- that collaborator, and is announced
-- on epic_session for the shells listening (lib/auth/watch.ts).
create function users_end_sessions() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
begin
  if tg_op = 'DELETE'
     or new.password_hash is distinct from old.password_hash
     or new.department_id is distinct from old.department_id
     or lower(new.email) is distinct from lower(old.email) then
    -- One's own new password or email keeps the session making the change; a
    -- new department ends that one too (the session carries the department).
    delete from sessions s where s.user_id = old.id
      and (tg_op = 'DELETE' or new.department_id is distinct from old.department_id
           or s.id is distinct from (select i.session_id from session_identity() i));
    perform pg_notify('epic_session', old.id::text);
  end if;
  return null;
end $$;
create trigger users_end_sessions after update or delete on users
  for each row execute function users_end_sessions();

-- Collaborators: a password hash is bcrypt-shaped; the last management
-- collaborator stays; nobody deletes themselves.
alter table users add constraint users_password_hash_bcrypt
  check (password_hash ~ '^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$');

create function users_guard() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
declare
  v_management smallint;
begin
  -- Serialises changes that could leave management empty.
  select d.id into v_management from departments d where d.name = 'management' for update;
  if tg_op = 'DELETE' and old.id = current_collaborator_id() then
    raise exception 'nobody may delete themselves' using errcode = '42501';
  end if;
  if old.department_id = v_management and (tg_op = 'DELETE' or new.department_id <> v_management)
     and not exists (select from users u where u.department_id = v_management and u.id <> old.id) then
    raise exception 'the last management collaborator cannot be deleted or leave management' using errcode = '42501';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end $$;
create trigger users_guard before update of department_id or delete on users
  for each row execute function users_guard();

-- Contracts are signed only through sign_contract (now, never undone or back-dated);
-- versions are the database's to count.
revoke update (signed_at, version) on contracts from epic_management, epic_sales;
revoke update (version) on events from epic_management, epic_support;

create function bump_version() returns trigger
language plpgsql as $$
begin
  new.version := old.version + 1;
  return new;
end $$;
create trigger contracts_bump_version before update on contracts for each row execute function bump_version();
create trigger events_bump_version before update on events for each row execute function bump_version();

-- A contract created signed by a collaborator is signed now.
create function contracts_signed_now() returns trigger
language plpgsql as $$
begin
  if new.signed_at is not null and current_user::text <> 'epic_owner' then
    new.signed_at := now();
  end if;
  return new;
end $$;
create trigger contracts_signed_now before insert on contracts for each row execute function contracts_signed_now();

-- Management signs any contract; sales their own clients' contracts. True when
-- this call signed it, false when it was already signed; 42501 when refused.
create function sign_contract(p_id integer) returns boolean
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
declare
  v record;
  n integer;
begin
  select * into v from session_identity();
  if v.department is null then
    raise exception 'no valid session' using errcode = 'EP001';
  end if;
  if v.department = 'management' then
    update contracts k set signed_at = now(), updated_at = now() where k.id = p_id and k.signed_at is null;
  elsif v.department = 'sales' then
    update contracts k set signed_at = now(), updated_at = now()
    from clients c
    where k.id = p_id and k.signed_at is null and c.id = k.client_id and c.sales_contact_id = v.user_id;
  else
    raise exception 'support may not sign contracts' using errcode = '42501';
  end if;
  get diagnostics n = row_count;
  return n = 1;
end $$;
revoke all on function sign_contract(integer) from public;
grant execute on function sign_contract(integer) to epic_management, epic_sales;

-- collaborator_in (003) answers only inside a verified session.
create or replace function collaborator_in(p_user integer, p_department text) returns boolean
language sql stable security definer set search_path = epic, pg_temp
as $$
  select exists (select 1 from users u join departments d on d.id = u.department_id
                 where u.id = p_user and d.name = p_department)
     and (select i.session_id from session_identity() i) is not null
$$;

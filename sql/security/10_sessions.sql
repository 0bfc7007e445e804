-- The security model, 1: who is calling. Every transaction of the shell
-- begins with set_config('role', 'epic_<department>'), set_config('epic.session',
-- <key>) and assert_session(…) (sql/session.sql); the functions here are the
-- only way policies, triggers and the other functions learn the caller: from
-- a verified, unexpired session used from its own login role, never from a
-- setting. Each is SECURITY DEFINER (they read sessions, which no department
-- may read) with a fixed search_path.

-- A session key is `<id>.<64 hex characters>`; anything else matches nothing.
-- These functions run in every statement's policies: each reads the sessions
-- table once, by primary key, and nothing else.
create or replace function verified_session(p_key text)
returns table (session_id bigint, user_id integer, department text, expires_at timestamptz, expired boolean)
language sql stable security definer set search_path = epic, pg_temp
as $$
  select s.id, s.user_id, s.department, s.expires_at, s.expires_at <= now()
  from sessions s
  where s.id = case when p_key ~ '^[0-9]{1,18}\.[0-9a-f]{64}$' then split_part(p_key, '.', 1)::bigint end
    and s.secret_hash = sha256(convert_to(split_part(p_key, '.', 2), 'UTF8'))
$$;

-- The verified session of this transaction (epic.session): its id, collaborator
-- and department, or nulls. A session counts only on its own role
-- (session_user), unexpired, and not while its password waits to be replaced.
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

-- Whether the role in force ($1, the policy's current_user) is the verified
-- session's own department role.
create or replace function session_acts_as(p_role text) returns boolean
language plpgsql stable security definer set search_path = epic, pg_temp
as $$
begin
  return coalesce('epic_' || (session_identity()).department = p_role, false);
end $$;

-- The verified session's department (null without one).
create or replace function session_department() returns text
language sql stable security definer set search_path = epic, pg_temp
as $$ select department from session_identity() $$;

-- The caller, as a verified session says (null without one).
create or replace function current_collaborator_id() returns integer
language plpgsql stable security definer set search_path = epic, pg_temp
as $$
begin
  return (session_identity()).user_id;
end $$;

-- The check that begins every transaction (sql/session.sql): the session is
-- known, unexpired, used from its own login role, not waiting for a new
-- password, and p_role (the role in force) is its department's. Each refusal
-- is an EP001/EP002 the shell reads as the session's end.
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

-- Whether collaborator p_user is in p_department; answers only inside a
-- verified session (the policies' checks of a new contact).
create or replace function collaborator_in(p_user integer, p_department text) returns boolean
language sql stable security definer set search_path = epic, pg_temp
as $$
  select exists (select 1 from users u join departments d on d.id = u.department_id
                 where u.id = p_user and d.name = p_department)
     and (select i.session_id from session_identity() i) is not null
$$;

-- The caller's id when the session is management's; else refused (42501).
-- What user_sessions, end_user_sessions, unlock_login and empty_trash check.
create or replace function require_management() returns integer
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

-- Whether client p_client's sales contact is the caller.
create or replace function client_is_mine(p_client integer) returns boolean
language sql stable security definer set search_path = epic, pg_temp
as $$ select exists (select from clients c where c.id = p_client and c.sales_contact_id = current_collaborator_id()) $$;

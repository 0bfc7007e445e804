-- 005: sessions checked by the database too, at no extra round trip.
--
-- 1. Every transaction of the shell asserts, in its identity statement
--    (sql/session.sql), that the collaborator still exists with the
--    department and token version of their token: a revoked session can run
--    nothing, whatever the shell's own checks did.
-- 2. A change that revokes sessions (new password or department: the token
--    version moves; a deletion) is announced on the channel epic_session, so
--    a shell listening there re-checks at its next evaluation without asking
--    the database before every one.

create function assert_session(p_user integer, p_token_version integer, p_role text) returns boolean
language plpgsql stable security definer set search_path = epic
as $$
declare
  found_version integer;
  found_role    text;
begin
  select u.token_version, 'epic_' || d.name into found_version, found_role
  from users u join departments d on d.id = u.department_id
  where u.id = p_user;
  if not found then
    raise exception 'your collaborator account no longer exists' using errcode = 'EP001';
  elsif found_role <> p_role then
    raise exception 'your department changed; log in again' using errcode = 'EP001';
  elsif found_version <> p_token_version then
    raise exception 'your password or department changed since this session began; log in again' using errcode = 'EP001';
  end if;
  return true;
end $$;

revoke all on function assert_session(integer, integer, text) from public;
grant execute on function assert_session(integer, integer, text) to epic_login, epic_management, epic_sales, epic_support;

create function notify_session_change() returns trigger
language plpgsql as $$
begin
  perform pg_notify('epic_session', old.id::text);
  return null;
end $$;

create trigger users_session_revoked
  after update on users
  for each row
  when (old.token_version is distinct from new.token_version or old.department_id is distinct from new.department_id)
  execute function notify_session_change();

create trigger users_session_deleted
  after delete on users
  for each row execute function notify_session_change();

-- 010: passwords the collaborator chooses. Runs as epic_owner with search_path = epic.
--
-- * A password set by management (users.create, users.update with a
--   password) is a first password only: the collaborator must replace it at
--   their next login. The flag is the database's to set: management cannot
--   write it (no column grant), and a trigger sets it from who makes the change.
-- * A collaborator changes their own password here, like login: the current
--   password is compared with the stored hash inside PostgreSQL, failures
--   count toward the same lockout as failed logins, and the session making
--   the change goes on while every other session of theirs ends (006's trigger).

alter table users add column must_change_password boolean not null default false;

-- Not security definer: current_user is the role of the statement. A
-- department role (management) setting someone else's password sets the flag;
-- the owner (setup's first collaborator, the demo, auth_change_password below)
-- leaves it as given.
create function users_password_chooser() returns trigger
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
create trigger users_password_chooser before insert or update on users
  for each row execute function users_password_chooser();

-- One's own new password, the current one checked by auth_login itself (006):
-- the same compare, throttle and lockout as a login, in one place. status:
-- ok | wrong | locked | lockedNow (this failure locked the email). EP001 when
-- the session has ended.
create function auth_change_password(p_key text, p_old text, p_new_hash text)
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
  select * into v_check from auth_login(v_email, p_old, 1);
  if v_check.status <> 'ok' then
    return query select v_check.status, v_check."lockedUntil";
    return;
  end if;
  -- The check opened a session of its own: it is not wanted.
  delete from sessions s where s.id = split_part(v_check."sessionKey", '.', 1)::bigint;
  -- This session is the one making the change: 006's trigger keeps it and ends
  -- the others, and the change log names the collaborator.
  perform set_config('epic.session', p_key, true);
  update users u set password_hash = p_new_hash, must_change_password = false, updated_at = now() where u.id = v_user_id;
  return query select 'ok'::text, null::timestamptz;
end $$;

-- Whether the session's collaborator must choose a new password before working.
create function auth_password_change_due(p_key text) returns boolean
language sql stable security definer set search_path = epic, pg_temp
as $$
  select coalesce((select u.must_change_password from verified_session(p_key) v join users u on u.id = v.user_id), false)
$$;

revoke all on function users_password_chooser(), auth_change_password(text, text, text), auth_password_change_due(text) from public;
grant execute on function auth_change_password(text, text, text), auth_password_change_due(text)
  to epic_login, epic_management, epic_sales, epic_support;

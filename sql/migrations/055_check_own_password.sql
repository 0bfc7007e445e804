-- 055: passwd() checks the current password before it asks the new one
-- (issue 30). Runs as epic_owner.
--
-- The check alone, exactly as auth_change_password (013) checks it: the
-- session must be a live one, and the password is compared by login_check (040),
-- so a wrong one counts as a failed login (throttled, five lock the email)
-- and the answer is only ok | wrong | locked | lockedNow. The session the
-- comparison opens is closed at once; nothing else changes.
create function auth_check_own_password(p_key text, p_password text)
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
revoke all on function auth_check_own_password(text, text) from public;
grant execute on function auth_check_own_password(text, text) to epic_login, epic_management, epic_sales, epic_support;

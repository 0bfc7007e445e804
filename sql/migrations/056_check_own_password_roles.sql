-- 056: 055's check of the current password, after 040 (each session its own
-- login role): 040 renamed the password comparison that opens no role to
-- login_check, and auth_login now makes a role. The check compares as a
-- login does (throttled, five wrong lock the email) and closes the session
-- row the comparison opened; nothing else changes. Runs as epic_owner.
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

-- 020: why a session ended, when the collaborator holding it cannot tell. Runs
-- as epic_owner with search_path = epic.
--
-- A session ends by deleting its row; most endings are the holder's own doing
-- or say themselves (logout, expiry, a new password or department). Two do
-- not: the collaborator's account deleted (the sessions go with it), and the
-- per-collaborator cap of auth_login (the oldest end when a 51st opens). For
-- those the ending is kept (with the secret's hash, so only the key's holder
-- can read it) for as long as a session may live, and auth_session_ending
-- tells the shell, which then says so instead of "log in again".

create table session_endings (
  session_id  bigint primary key,
  secret_hash bytea not null,
  reason      text not null check (reason in ('deleted', 'cap')),
  ended_at    timestamptz not null default now()
);
create index session_endings_ended_idx on session_endings (ended_at);
revoke all on session_endings from public;

-- After the deleting statement (its rows all gone): the account gone, or 49
-- newer sessions of the same collaborator still open (the cap keeps the
-- newest 49 and opens one), is an ending to keep. Expired sessions say so themselves.
create function sessions_record_ending() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
declare
  v_reason text;
begin
  if old.expires_at <= now() then
    return null;
  end if;
  if not exists (select 1 from users u where u.id = old.user_id) then
    v_reason := 'deleted';
  elsif (select count(*) from (select 1 from sessions s where s.user_id = old.user_id and s.id > old.id limit 49) newer) >= 49 then
    v_reason := 'cap';
  else
    return null;
  end if;
  insert into session_endings (session_id, secret_hash, reason) values (old.id, old.secret_hash, v_reason)
  on conflict (session_id) do nothing;
  delete from session_endings e where e.ended_at < now() - interval '31 days';
  return null;
end $$;
create trigger sessions_record_ending after delete on sessions
  for each row execute function sessions_record_ending();

-- The ending kept for a session key ('deleted' or 'cap'), or null.
create function auth_session_ending(p_key text) returns text
language sql stable security definer set search_path = epic, pg_temp
as $$
  select e.reason from session_endings e
  where e.session_id = case when p_key ~ '^[0-9]{1,18}\.[0-9a-f]{64}$' then split_part(p_key, '.', 1)::bigint end
    and e.secret_hash = sha256(convert_to(split_part(p_key, '.', 2), 'UTF8'))
$$;
revoke all on function sessions_record_ending(), auth_session_ending(text) from public;
grant execute on function auth_session_ending(text) to epic_login, epic_management, epic_sales, epic_support;

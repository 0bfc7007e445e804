-- 007: record history, written by PostgreSQL itself. Runs as epic_owner.
--
-- Triggers on clients, contracts, events and users append to change_log
-- whatever path the change came by (the shell, a script, raw SQL with the
-- runtime credentials): when, which collaborator (the verified session's,
-- never a value the client sends), which record, what happened, and for an
-- update each changed field with its old and new value. Password hashes never
-- appear ("password changed" only). Nobody but the owner may write it: the
-- department roles may read it, never update, delete or truncate it.
-- Collaborators' names are copied in, so deleting one keeps their entries.

create table change_log (
  id         bigint generated always as identity primary key,
  at         timestamptz not null default now(),
  actor_id   integer,
  actor_name text not null,
  object     text not null check (object in ('client', 'contract', 'event', 'user')),
  record_id  integer,
  action     text not null check (action in ('created', 'updated', 'signed', 'assigned', 'payment', 'imported',
                                             'deleted', 'password changed', 'sessions ended', 'lockout')),
  -- {"amountDue": ["5000.00", "0.00"], …} for updates; null otherwise.
  changes    jsonb,
  note       text check (note is null or length(note) <= 500)
);
create index change_log_record_idx on change_log (object, record_id, id);
create index change_log_at_idx on change_log (at, id);
create index change_log_actor_idx on change_log (actor_id, id);

-- snake_case column → the API's camelCase field name.
create function api_field(p_column text) returns text
language sql immutable parallel safe
as $$
  select lower(left(c, 1)) || substr(c, 2)
  from (select replace(initcap(replace(p_column, '_', ' ')), ' ', '') as c) x
$$;

-- Old and new values of the columns that changed (bookkeeping columns left out).
create function changed_fields(p_old jsonb, p_new jsonb) returns jsonb
language sql immutable parallel safe
as $$
  select coalesce(jsonb_object_agg(api_field(n.key), jsonb_build_array(p_old -> n.key, n.value)), '{}'::jsonb)
  from jsonb_each(p_new) n
  where n.key not in ('updated_at', 'version', 'password_hash', 'token_version')
    and (p_old -> n.key) is distinct from n.value
$$;

-- One entry, as the verified session's collaborator (or "system" for the
-- owner's own work: setup, migrations, demo data).
create function log_change(p_object text, p_record integer, p_action text, p_changes jsonb, p_note text) returns void
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
declare
  v_actor integer := current_collaborator_id();
begin
  insert into change_log (actor_id, actor_name, object, record_id, action, changes, note)
  values (v_actor, coalesce((select u.full_name from users u where u.id = v_actor), 'system'),
          p_object, p_record, p_action, nullif(p_changes, '{}'::jsonb),
          coalesce(p_note, nullif(left(current_setting('epic.change_note', true), 500), '')));
end $$;
revoke all on function log_change(text, integer, text, jsonb, text), api_field(text), changed_fields(jsonb, jsonb) from public;

create function log_record_change() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
declare
  v_object  text := case tg_table_name when 'clients' then 'client' when 'contracts' then 'contract' when 'events' then 'event' end;
  v_changes jsonb;
  v_action  text;
begin
  if tg_op = 'INSERT' then
    perform log_change(v_object, new.id,
      case when current_setting('epic.change_action', true) = 'imported' and v_object = 'client' then 'imported' else 'created' end,
      null, null);
    return null;
  end if;
  v_changes := changed_fields(to_jsonb(old), to_jsonb(new));
  if v_changes = '{}'::jsonb then
    return null;
  end if;
  v_action := case
    when v_object = 'contract' and v_changes ? 'signedAt' and v_changes #> '{signedAt,0}' = 'null'::jsonb then 'signed'
    when v_object = 'contract' and v_changes ? 'amountDue' and not v_changes ? 'totalAmount'
         and current_setting('epic.change_action', true) = 'payment' then 'payment'
    when v_changes - 'salesContactId' - 'supportContactId' = '{}'::jsonb then 'assigned'
    else 'updated'
  end;
  perform log_change(v_object, new.id, v_action, v_changes, null);
  return null;
end $$;

create trigger clients_log after insert or update on clients for each row execute function log_record_change();
create trigger contracts_log after insert or update on contracts for each row execute function log_record_change();
create trigger events_log after insert or update on events for each row execute function log_record_change();

create function log_user_change() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
declare
  v_changes jsonb;
begin
  if tg_op = 'INSERT' then
    perform log_change('user', new.id, 'created', null, new.full_name);
  elsif tg_op = 'DELETE' then
    perform log_change('user', old.id, 'deleted', null, old.full_name || ' <' || old.email || '>');
  else
    if new.password_hash is distinct from old.password_hash then
      perform log_change('user', new.id, 'password changed', null, null);
    end if;
    v_changes := changed_fields(to_jsonb(old), to_jsonb(new));
    if v_changes <> '{}'::jsonb then
      perform log_change('user', new.id, 'updated', v_changes, null);
    end if;
  end if;
  return null;
end $$;
create trigger users_log after insert or update or delete on users for each row execute function log_user_change();

-- Management ends a collaborator's sessions (users.endSessions); that, and
-- lockouts, are history too.
create function end_user_sessions(p_user integer) returns integer
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
declare
  n integer;
begin
  perform require_management();
  delete from sessions s where s.user_id = p_user;
  get diagnostics n = row_count;
  perform pg_notify('epic_session', p_user::text);
  perform log_change('user', p_user, 'sessions ended', null, n || ' session' || case when n = 1 then '' else 's' end);
  return n;
end $$;
revoke all on function end_user_sessions(integer) from public;
grant execute on function end_user_sessions(integer) to epic_management;

create function log_lockout() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
begin
  if new.locked_until is not null and new.locked_until > now() and old.locked_until is distinct from new.locked_until then
    perform log_change('user', (select u.id from users u where lower(u.email) = new.email), 'lockout', null,
                       'failed logins for ' || new.email || ': locked until ' || to_char(new.locked_until, 'YYYY-MM-DD HH24:MI TZ'));
  end if;
  return null;
end $$;
create trigger login_throttle_log after update on login_throttle for each row execute function log_lockout();

-- Read as the department may read the record: everyone every client,
-- contract and event; collaborators' history is management's.
grant select on change_log to epic_management, epic_sales, epic_support;
alter table change_log enable row level security;
create policy change_log_records on change_log for select to epic_management, epic_sales, epic_support
  using (object <> 'user');
create policy change_log_users on change_log for select to epic_management using (true);
create policy change_log_session on change_log as restrictive to epic_management, epic_sales, epic_support
  using ((select session_acts_as(current_user::text)));

-- 031: follow-ups (clients.followUp, followUps(), followUps.done). Runs as epic_owner.
--
-- A follow-up is a dated reminder about a client: sales set them on their own
-- clients, management on any. Who set it and who marked it done come from the
-- verified session (never from the client); a follow-up is marked done once,
-- at the time of the statement that does it, and nothing else about it
-- changes. Support read none. Setting one and marking it done are in the
-- client's history; the note itself is not (every department reads client
-- history, only sales and management read follow-ups).

create table follow_ups (
  id         integer generated always as identity primary key,
  client_id  integer not null references clients (id) on delete cascade,
  set_by     integer references users (id) on delete set null default current_collaborator_id(),
  due_at     timestamptz not null,
  note       text not null check (length(btrim(note)) between 1 and 500),
  created_at timestamptz not null default now(),
  done_at    timestamptz,
  done_by    integer references users (id) on delete set null,
  check (done_by is null or done_at is not null)
);
-- Open follow-ups by due time: followUps({due}) and the due notices read this
-- one index (a few pages at 1M contracts).
create index follow_ups_open_due_idx on follow_ups (due_at, id) where done_at is null;
create index follow_ups_client_idx on follow_ups (client_id, id);

grant select on follow_ups to epic_management, epic_sales;
grant insert (client_id, due_at, note) on follow_ups to epic_management, epic_sales;
grant update (done_at, done_by) on follow_ups to epic_management, epic_sales;

alter table follow_ups enable row level security;
alter table follow_ups force row level security;
create policy follow_ups_owner on follow_ups to epic_owner using (true) with check (true);
-- Only a verified session of the department role in force (as 006 for every table).
create policy follow_ups_session on follow_ups as restrictive to epic_management, epic_sales
  using ((select session_acts_as(current_user::text)))
  with check ((select session_acts_as(current_user::text)));

-- Whether client p_client's sales contact is the caller.
create function client_is_mine(p_client integer) returns boolean
language sql stable security definer set search_path = epic, pg_temp
as $$ select exists (select from clients c where c.id = p_client and c.sales_contact_id = current_collaborator_id()) $$;
revoke all on function client_is_mine(integer) from public;
grant execute on function client_is_mine(integer) to epic_sales;

-- Which client a follow-up is about, whoever may read it: a refusal names
-- the client (as every ownership refusal does), a missing id says NotFound.
-- Clients are everyone's to read; the note stays hidden.
create function follow_up_client(p_id integer) returns integer
language sql stable security definer set search_path = epic, pg_temp
as $$ select f.client_id from follow_ups f where f.id = p_id $$;
revoke all on function follow_up_client(integer) from public;
grant execute on function follow_up_client(integer) to epic_management, epic_sales;

create policy follow_ups_management_read on follow_ups for select to epic_management using (true);
create policy follow_ups_management_insert on follow_ups for insert to epic_management
  with check (set_by = (select current_collaborator_id()) and done_at is null);
create policy follow_ups_management_done on follow_ups for update to epic_management
  using (done_at is null)
  with check (done_at = now() and done_by = (select current_collaborator_id()));

create policy follow_ups_sales_read on follow_ups for select to epic_sales using (client_is_mine(client_id));
create policy follow_ups_sales_insert on follow_ups for insert to epic_sales
  with check (client_is_mine(client_id) and set_by = (select current_collaborator_id()) and done_at is null);
create policy follow_ups_sales_done on follow_ups for update to epic_sales
  using (done_at is null and client_is_mine(client_id))
  with check (done_at = now() and done_by = (select current_collaborator_id()) and client_is_mine(client_id));

-- History: on the client's record, as 'follow-up' (set) and 'follow-up done'.
alter table change_log drop constraint change_log_action_check;
alter table change_log add constraint change_log_action_check
  check (action in ('created', 'updated', 'signed', 'assigned', 'payment', 'imported',
                    'deleted', 'password changed', 'sessions ended', 'lockout',
                    'restored', 'undone', 'erased', 'purged',  -- 026: the trash, undo, erasure
                    'follow-up', 'follow-up done'));

create function log_follow_up() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
begin
  if tg_op = 'INSERT' then
    perform log_change('client', new.client_id, 'follow-up',
                       jsonb_build_object('followUpDueAt', jsonb_build_array(null, new.due_at)), 'follow-up ' || new.id);
  elsif old.done_at is null and new.done_at is not null then
    perform log_change('client', new.client_id, 'follow-up done', null, 'follow-up ' || new.id);
  end if;
  return null;
end $$;
revoke all on function log_follow_up() from public;
create trigger follow_ups_log after insert or update on follow_ups for each row execute function log_follow_up();

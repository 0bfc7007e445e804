-- 011: clients.import (lib/crm/import.ts). Runs as epic_owner.
--
-- Sales already insert clients for themselves (003). Management may now
-- insert clients too — only through an import in the shell — and only for a
-- sales collaborator or for nobody, as clients.assign may set; the
-- restrictive session policy of 006 still requires a verified management
-- session. Support still inserts nothing. An import writes with INSERT under
-- the caller's session: COPY FROM is refused on a table with row-level
-- security, and would bypass the department matrix anyway.
grant insert (full_name, email, phone, company_name, sales_contact_id) on clients to epic_management;
create policy clients_management_insert on clients for insert to epic_management
  with check (sales_contact_id is null or collaborator_in(sales_contact_id, 'sales'));

-- An import looks up a batch of emails at a time. lower() is not leakproof,
-- so under the policies PostgreSQL may not use clients_email_key for it and
-- scans the table for each batch. This view reads clients as its owner
-- (everyone may read every client) once the session is verified, as
-- client_search does in 006, so the lookup is an index scan.
create view client_emails as
  select c.id, lower(c.email) as email_key, c.sales_contact_id
  from clients c
  where (select session_acts_as(current_user::text));
grant select on client_emails to epic_management, epic_sales, epic_support;

-- The caller read once per statement (an initplan) rather than once per row:
-- the same condition as 003's, for a multi-row insert.
alter policy clients_sales_insert on clients with check (sales_contact_id = (select current_collaborator_id()));

-- New clients are logged once per statement, from its transition table,
-- rather than once per row (007's row trigger still logs updates): an import
-- of a thousand rows writes its thousand entries in one INSERT … SELECT, the
-- collaborator read once. Same entries as 007's log_change: the verified
-- session's collaborator (or "system"), 'imported' when the transaction says
-- so (epic.change_action), the note of epic.change_note.
create function log_client_inserts() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
declare
  v_actor integer := current_collaborator_id();
begin
  insert into change_log (actor_id, actor_name, object, record_id, action, changes, note)
  select v_actor, coalesce((select u.full_name from users u where u.id = v_actor), 'system'), 'client', n.id,
         case when current_setting('epic.change_action', true) = 'imported' then 'imported' else 'created' end,
         null, nullif(left(current_setting('epic.change_note', true), 500), '')
  from inserted n
  order by n.id;
  return null;
end $$;
revoke all on function log_client_inserts() from public;
drop trigger clients_log on clients;
create trigger clients_log after update on clients for each row execute function log_record_change();
create trigger clients_log_inserts after insert on clients referencing new table as inserted
  for each statement execute function log_client_inserts();

-- The security model, 8: row-level security, table by table. Every table a
-- department may touch has it enabled (forced where even the owner's own
-- writes go through policies: the owner then has its <table>_owner policy),
-- and a restrictive <table>_session policy: the department role in force must
-- be the verified session's own (session_acts_as), so no setting, role or
-- guessed value grants anything. The permissive policies say what each
-- department may read and write; the columns it may write are in 90_grants.sql.
-- 70_reset.sql drops them all first: a policy exists only if it is here.

-- change_log
alter table change_log enable row level security;
create policy change_log_records on change_log for select to epic_management, epic_sales, epic_support
  using (object <> 'user');
create policy change_log_session on change_log as restrictive to epic_management, epic_sales, epic_support
  using ((select session_acts_as(current_user::text)));
create policy change_log_users on change_log for select to epic_management using (true);

-- client_imports
alter table client_imports enable row level security;
alter table client_imports force row level security;
create policy client_imports_owner on client_imports to epic_owner using (true) with check (true);
-- Who imported what file when is no secret (the history says as much); undoing one is
-- refused by the rules on its clients.
create policy client_imports_read on client_imports for select to epic_management, epic_sales, epic_support using (true);
create policy client_imports_session on client_imports as restrictive to epic_management, epic_sales, epic_support
  using ((select session_acts_as(current_user::text)));

-- clients
alter table clients enable row level security;
alter table clients force row level security;
create policy clients_management_delete on clients for delete to epic_management using (true);
create policy clients_management_insert on clients for insert to epic_management
  with check (sales_contact_id is null or collaborator_in(sales_contact_id, 'sales'));
-- Management moves clients to another salesperson (or to nobody).
create policy clients_management_update on clients for update to epic_management
  using (true)
  with check (sales_contact_id is null or collaborator_in(sales_contact_id, 'sales'));
create policy clients_owner on clients to epic_owner using (true) with check (true);
create policy clients_read on clients for select to epic_management, epic_sales, epic_support using (true);
create policy clients_sales_delete on clients for delete to epic_sales
  using (sales_contact_id = (select current_collaborator_id()));
-- A salesperson creates clients for themselves and updates only their own.
create policy clients_sales_insert on clients for insert to epic_sales
  with check (sales_contact_id = (select current_collaborator_id()));
create policy clients_sales_update on clients for update to epic_sales
  using (sales_contact_id = current_collaborator_id())
  with check (sales_contact_id = current_collaborator_id());
create policy clients_session on clients as restrictive to epic_management, epic_sales, epic_support
  using ((select session_acts_as(current_user::text))) with check ((select session_acts_as(current_user::text)));

-- contract_tallies
alter table contract_tallies enable row level security;
alter table contract_tallies force row level security;
create policy contract_tallies_owner on contract_tallies to epic_owner using (true) with check (true);
create policy contract_tallies_read on contract_tallies for select to epic_management, epic_sales, epic_support
  using ((select session_acts_as(current_user::text)));

-- contracts
alter table contracts enable row level security;
alter table contracts force row level security;
create policy contracts_management_delete on contracts for delete to epic_management using (true);
create policy contracts_management_insert on contracts for insert to epic_management with check (true);
create policy contracts_management_update on contracts for update to epic_management using (true) with check (true);
create policy contracts_owner on contracts to epic_owner using (true) with check (true);
create policy contracts_read on contracts for select to epic_management, epic_sales, epic_support using (true);
create policy contracts_sales_delete on contracts for delete to epic_sales
  using (not contract_has_payments(signed_at, total_amount, amount_due)
         and exists (select 1 from clients c where c.id = client_id and c.sales_contact_id = (select current_collaborator_id())));
create policy contracts_sales_update on contracts for update to epic_sales
  using (exists (select 1 from clients c where c.id = client_id and c.sales_contact_id = current_collaborator_id()))
  with check (exists (select 1 from clients c where c.id = client_id and c.sales_contact_id = current_collaborator_id()));
create policy contracts_session on contracts as restrictive to epic_management, epic_sales, epic_support
  using ((select session_acts_as(current_user::text))) with check ((select session_acts_as(current_user::text)));

-- departments
alter table departments enable row level security;
create policy departments_read on departments for select to epic_management, epic_sales, epic_support using (true);
create policy departments_session on departments as restrictive to epic_management, epic_sales, epic_support
  using ((select session_acts_as(current_user::text)));

-- events
alter table events enable row level security;
alter table events force row level security;
create policy events_management_delete on events for delete to epic_management using (true);
-- Management assigns a support collaborator (or none).
create policy events_management_update on events for update to epic_management
  using (true)
  with check (support_contact_id is null or collaborator_in(support_contact_id, 'support'));
create policy events_owner on events to epic_owner using (true) with check (true);
create policy events_read on events for select to epic_management, epic_sales, epic_support using (true);
-- Sales create the event of a signed contract of their own client, unassigned.
create policy events_sales_insert on events for insert to epic_sales
  with check (
    support_contact_id is null
    and exists (select 1 from contracts k join clients c on c.id = k.client_id
                where k.id = contract_id and k.signed_at is not null and c.sales_contact_id = current_collaborator_id()));
create policy events_session on events as restrictive to epic_management, epic_sales, epic_support
  using ((select session_acts_as(current_user::text))) with check ((select session_acts_as(current_user::text)));
create policy events_support_delete on events for delete to epic_support
  using (support_contact_id = (select current_collaborator_id()));
-- Support update the events assigned to them, and they stay theirs.
create policy events_support_update on events for update to epic_support
  using (support_contact_id = current_collaborator_id())
  with check (support_contact_id = current_collaborator_id());

-- follow_ups
alter table follow_ups enable row level security;
alter table follow_ups force row level security;
create policy follow_ups_management_done on follow_ups for update to epic_management
  using (done_at is null)
  with check (done_at = now() and done_by = (select current_collaborator_id()));
create policy follow_ups_management_insert on follow_ups for insert to epic_management
  with check (set_by = (select current_collaborator_id()) and done_at is null);
create policy follow_ups_management_read on follow_ups for select to epic_management using (true);
create policy follow_ups_owner on follow_ups to epic_owner using (true) with check (true);
create policy follow_ups_sales_done on follow_ups for update to epic_sales
  using (done_at is null and client_is_mine(client_id))
  with check (done_at = now() and done_by = (select current_collaborator_id()) and client_is_mine(client_id));
create policy follow_ups_sales_insert on follow_ups for insert to epic_sales
  with check (client_is_mine(client_id) and set_by = (select current_collaborator_id()) and done_at is null);
create policy follow_ups_sales_read on follow_ups for select to epic_sales
  using (client_id in (select c.id from clients c where c.sales_contact_id = (select current_collaborator_id())));
-- Only a verified session of the department role in force (support: no follow-ups at all).
create policy follow_ups_session on follow_ups as restrictive to epic_management, epic_sales
  using ((select session_acts_as(current_user::text)))
  with check ((select session_acts_as(current_user::text)));

-- trash
alter table trash enable row level security;
alter table trash force row level security;
create policy trash_owner on trash to epic_owner using (true) with check (true);
-- What each department sees: management everything; sales what belonged to
-- their clients; support the events that were assigned to them.
create policy trash_read on trash for select to epic_management, epic_sales, epic_support
  using (current_user = 'epic_management'
         or (current_user = 'epic_sales' and sales_contact_id = (select current_collaborator_id()))
         or (current_user = 'epic_support' and support_contact_id = (select current_collaborator_id())));
create policy trash_session on trash as restrictive to epic_management, epic_sales, epic_support
  using ((select session_acts_as(current_user::text)));

-- users
alter table users enable row level security;
create policy users_management_delete on users for delete to epic_management using (true);
create policy users_management_insert on users for insert to epic_management with check (true);
create policy users_management_update on users for update to epic_management using (true) with check (true);
create policy users_read on users for select to epic_management, epic_sales, epic_support using (true);
create policy users_session on users as restrictive to epic_management, epic_sales, epic_support
  using ((select session_acts_as(current_user::text))) with check ((select session_acts_as(current_user::text)));

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

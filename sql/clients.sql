-- Clients. Records come out camelCase with the sales contact's name; lists are
-- keyset pages (id > $1 order by id limit $2) with optional filters that are
-- null when not asked for, so each list is one static statement.

-- name: getClient :one
-- params: id
select c.id, c.full_name as "fullName", c.email, c.phone, c.company_name as "companyName",
       c.sales_contact_id as "salesContactId", u.full_name as "salesContactName",
       c.created_at as "createdAt", c.updated_at as "updatedAt"
from clients c
left join users u on u.id = c.sales_contact_id
where c.id = $1;

-- unassigned: true, no sales contact; false, one. pattern: a LIKE pattern matched
-- against name, email and company, any case.
-- name: listClients :many
-- plan: per-call
-- params: afterId, limit, salesContactId, unassigned, pattern
select c.id, c.full_name as "fullName", c.email, c.phone, c.company_name as "companyName",
       c.sales_contact_id as "salesContactId", u.full_name as "salesContactName",
       c.created_at as "createdAt", c.updated_at as "updatedAt"
from clients c
left join users u on u.id = c.sales_contact_id
where c.id > $1
  and ($3::integer is null or c.sales_contact_id = $3)
  and ($4::boolean is null or (c.sales_contact_id is null) = $4)
  and ($5::text is null or c.full_name ilike $5 or c.email ilike $5 or c.company_name ilike $5)
order by c.id
limit $2;

-- The same list when a search of 3 characters or more is given: the matching
-- ids come first from the trigram indexes (sql/migrations/004, a BitmapOr of
-- the three, through the client_search view of 006), then the page is cut
-- from them in id order. Without this step
-- the planner walks the primary key in id order and filters the whole table
-- when matches are rare.
-- name: searchClients :many
-- plan: per-call
-- params: afterId, limit, salesContactId, unassigned, pattern
with matches as materialized (
  select id from client_search
  where full_name ilike $5 or email ilike $5 or company_name ilike $5
)
select c.id, c.full_name as "fullName", c.email, c.phone, c.company_name as "companyName",
       c.sales_contact_id as "salesContactId", u.full_name as "salesContactName",
       c.created_at as "createdAt", c.updated_at as "updatedAt"
from matches m
join clients c on c.id = m.id
left join users u on u.id = c.sales_contact_id
where c.id > $1
  and ($3::integer is null or c.sales_contact_id = $3)
  and ($4::boolean is null or (c.sales_contact_id is null) = $4)
order by c.id
limit $2;

-- Inserts and returns the record as getClient shows it (one round trip for clients.create).
-- name: createClient :one
-- params: fullName, email, phone, companyName, salesContactId
with created as (
  insert into clients (full_name, email, phone, company_name, sales_contact_id)
  values ($1, $2, $3, $4, $5)
  returning *
)
select c.id, c.full_name as "fullName", c.email, c.phone, c.company_name as "companyName",
       c.sales_contact_id as "salesContactId", u.full_name as "salesContactName",
       c.created_at as "createdAt", c.updated_at as "updatedAt"
from created c
left join users u on u.id = c.sales_contact_id;

-- The row an update checks ownership against, locked until the transaction ends.
-- name: lockClient :one
-- params: id
select c.id, c.full_name as "fullName", c.email, c.phone, c.company_name as "companyName",
       c.sales_contact_id as "salesContactId", u.email as "salesContactEmail"
from clients c
left join users u on u.id = c.sales_contact_id
where c.id = $1
for update of c;

-- The same row without a lock: when the locking read finds nothing, tells a
-- missing row from one the caller's department may not change (row security
-- hides rows from FOR UPDATE that its policies refuse).
-- name: peekClient :one
-- params: id
select c.id, c.full_name as "fullName", c.email, c.phone, c.company_name as "companyName",
       c.sales_contact_id as "salesContactId", u.email as "salesContactEmail"
from clients c
left join users u on u.id = c.sales_contact_id
where c.id = $1;

-- Every field is written (merged by the caller under the row lock); updated_at
-- is the last update/contact.
-- name: updateClient :exec
-- params: id, fullName, email, phone, companyName
update clients
set full_name = $2, email = $3, phone = $4, company_name = $5, updated_at = now()
where id = $1;

-- clients.import (lib/crm/import.ts). The history of what follows in the same
-- transaction says "imported from FILE" (the change_log trigger of migration
-- 007 reads both settings; transaction-local).
-- name: markImport :exec
-- params: note
select set_config('epic.change_action', 'imported', true), set_config('epic.change_note', $1, true);

-- The clients already using some of an import batch's emails (lower case),
-- with their sales contact: through the client_emails view (migration 011),
-- an index scan of clients_email_key.
-- name: clientsByEmail :many
-- params: emails
select e.email_key as email, e.id, e.sales_contact_id as "salesContactId", u.email as "salesContactEmail"
from client_emails e
left join users u on u.id = e.sales_contact_id
where e.email_key = any($1::text[]);

-- The collaborators a management import names as sales contacts, by email (any case).
-- name: collaboratorsByEmail :many
-- params: emails
select lower(u.email) as email, u.id, d.name as department
from users u
join departments d on d.id = u.department_id
where lower(u.email) = any($1::text[]);

-- One batch of imported clients, one statement: the arrays are the columns,
-- row i of each the i-th client. Row-level security checks each row as it
-- would a single insert (sales: their own; management: a salesperson or nobody).
-- name: importClients :exec
-- params: fullNames, emails, phones, companyNames, salesContactIds
insert into clients (full_name, email, phone, company_name, sales_contact_id)
select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::integer[]);

-- onDuplicate: 'update': the caller's own clients with these emails take the
-- file's name, and its phone and company where the file gives one.
-- name: updateImportedClients :exec
-- params: emails, fullNames, phones, companyNames
update clients c
set full_name = u.full_name, phone = coalesce(u.phone, c.phone), company_name = coalesce(u.company_name, c.company_name), updated_at = now()
from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as u(email, full_name, phone, company_name)
where lower(c.email) = lower(u.email)
  and c.sales_contact_id = current_collaborator_id();

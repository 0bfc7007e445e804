-- Clients. Records come out camelCase with the sales contact's name; lists are
-- keyset pages (after the last (sort key, id)) with optional filters that are
-- null when not asked for, so each list is one statement per sort key.

-- One select list per projection: a client as every read shows it (c: the
-- client row, u: its sales contact), and the row a write checks ownership
-- against (lockClient locks it, peekClient reads it without a lock).
-- fragment: clientColumns
c.id, c.full_name as "fullName", c.email, c.phone, c.company_name as "companyName",
c.sales_contact_id as "salesContactId", u.full_name as "salesContactName",
c.created_at as "createdAt", c.updated_at as "updatedAt"

-- fragment: clientLockRow
select c.id, c.full_name as "fullName", c.email, c.phone, c.company_name as "companyName",
       c.sales_contact_id as "salesContactId", u.email as "salesContactEmail"
from clients c
left join users u on u.id = c.sales_contact_id
where c.id = $1

-- name: getClient :one
-- params: id
select {{clientColumns}}
from clients c
left join users u on u.id = c.sales_contact_id
where c.id = $1;

-- A page of clients, sorted (lib/crm/sort.ts fills in %1$I the sort column,
-- %2$s the keyset comparison, %3$s the direction) after the last row's
-- (key, id); afterId null for the first page. unassigned: true, no sales
-- contact; false, one.
-- name: listClients :many
-- plan: per-call
-- params: afterKey, afterId, limit, salesContactId, unassigned
select {{clientColumns}}, c.%1$I::text as "sortKey"
from clients c
left join users u on u.id = c.sales_contact_id
where ($2::integer is null or (c.%1$I, c.id) %2$s ($1, $2))
  and ($4::integer is null or c.sales_contact_id = $4)
  and ($5::boolean is null or (c.sales_contact_id is null) = $5)
order by c.%1$I %3$s, c.id %3$s
limit $3;

-- The same list for a search: words, one to four LIKE patterns (each word
-- anywhere, any order), matched against the search document (008) through
-- the client_find view, so the trigram index finds the matching ids first (a
-- BitmapAnd of one index scan per word); then the page is cut from them.
-- Without this step the planner may walk the table in sort order and filter
-- it whole when matches are rare. The cardinality tests fold away at
-- planning (the words are known then).
-- name: searchClients :many
-- plan: per-call
-- params: afterKey, afterId, limit, salesContactId, unassigned, words
with matches as materialized (
  select id from client_find
  where doc like search_text(($6::text[])[1])
    and (cardinality($6::text[]) < 2 or doc like search_text(($6::text[])[2]))
    and (cardinality($6::text[]) < 3 or doc like search_text(($6::text[])[3]))
    and (cardinality($6::text[]) < 4 or doc like search_text(($6::text[])[4]))
)
select {{clientColumns}}, c.%1$I::text as "sortKey"
from matches m
join clients c on c.id = m.id
left join users u on u.id = c.sales_contact_id
where ($2::integer is null or (c.%1$I, c.id) %2$s ($1, $2))
  and ($4::integer is null or c.sales_contact_id = $4)
  and ($5::boolean is null or (c.sales_contact_id is null) = $5)
order by c.%1$I %3$s, c.id %3$s
limit $3;

-- How many clients listClients / searchClients list (words: null, no search).
-- name: countClients :one
-- plan: per-call
-- params: salesContactId, unassigned, words
select count(*)::integer as count
from clients c
where ($1::integer is null or c.sales_contact_id = $1)
  and ($2::boolean is null or (c.sales_contact_id is null) = $2)
  and ($3::text[] is null or c.id in (
    select id from client_find
  where doc like search_text(($3::text[])[1])
      and (cardinality($3::text[]) < 2 or doc like search_text(($3::text[])[2]))
      and (cardinality($3::text[]) < 3 or doc like search_text(($3::text[])[3]))
      and (cardinality($3::text[]) < 4 or doc like search_text(($3::text[])[4]))));

-- Inserts and returns the record as getClient shows it (one round trip for clients.create).
-- phoneE164: the phone read into E.164 (lib/crm/phone.ts), for matching.
-- name: createClient :one
-- params: fullName, email, phone, companyName, salesContactId, phoneE164
with created as (
  insert into clients (full_name, email, phone, company_name, sales_contact_id, phone_e164)
  values ($1, $2, $3, $4, $5, $6)
  returning *
)
select {{clientColumns}}
from created c
left join users u on u.id = c.sales_contact_id;

-- The row an update checks ownership against, locked until the transaction ends.
-- name: lockClient :one
-- params: id
{{clientLockRow}}
for update of c;

-- The same row without a lock: when the locking read finds nothing, tells a
-- missing row from one the caller's department may not change (row security
-- hides rows from FOR UPDATE that its policies refuse).
-- name: peekClient :one
-- params: id
{{clientLockRow}};

-- Every field is written (merged by the caller under the row lock); updated_at
-- is the last update/contact. Returns the record as getClient shows it, as
-- this update left it (no second read).
-- name: updateClient :one
-- params: id, fullName, email, phone, companyName, phoneE164
with updated as (
  update clients
  set full_name = $2, email = $3, phone = $4, company_name = $5, phone_e164 = $6, updated_at = now()
  where id = $1
  returning *
)
select {{clientColumns}}
from updated c
left join users u on u.id = c.sales_contact_id;

-- The collaborator a client is being given to (clients.assign), kept from
-- changing department or leaving until the assignment commits.
-- name: lockSalesCandidate :one
-- params: id
select u.id, u.email, u.full_name as "fullName", d.name as department
from users u
join departments d on d.id = u.department_id
where u.id = $1
for share of u;

-- Returns the record as getClient shows it, with its new sales contact's name.
-- name: assignClient :one
-- params: id, salesContactId
with updated as (
  update clients set sales_contact_id = $2 where id = $1
  returning *
)
select {{clientColumns}}
from updated c
left join users u on u.id = c.sales_contact_id;

-- clients.import (lib/crm/import.ts): the import's number for
-- clients.undoImport, made by its first write (sql/migrations/047
-- begin_import), or here when it only updated clients.
-- name: beginImport :one
-- params: file
select begin_import($1) as "importId";

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

-- One batch of imported clients, one call (sql/migrations/047
-- import_clients): the arrays are the columns, row i of each the i-th
-- client. It inserts as the caller: row-level security checks each row as it
-- would a single insert (sales: their own; management: a salesperson or
-- nobody); their history says "imported from FILE". skip (onDuplicate:
-- 'skip'): a client whose email another import (or call) committed meanwhile
-- is left, the database deciding on the email's unique index (ON CONFLICT
-- waits for a concurrent insert of it to commit or roll back). How many rows
-- were written.
-- name: importClients :one
-- params: file, fullNames, emails, phones, companyNames, salesContactIds, phoneE164s, skip
select import_clients($1, $2::text[], $3::text[], $4::text[], $5::text[], $6::integer[], $7::text[], $8) as count;

-- onDuplicate: 'update': the caller's own clients (by id: the one an
-- export's id column names, or the one with the row's email) take the file's
-- name, and its phone and company where the file gives one; email: the new
-- email when the row named the client by id, else null (kept as it is).
-- name: updateImportedClients :exec
-- params: ids, emails, fullNames, phones, companyNames, phoneE164s
update clients c
set email = coalesce(u.email, c.email), full_name = u.full_name, phone = coalesce(u.phone, c.phone),
    company_name = coalesce(u.company_name, c.company_name),
    phone_e164 = case when u.phone is null then c.phone_e164 else u.phone_e164 end, updated_at = now()
from unnest($1::integer[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) as u(id, email, full_name, phone, company_name, phone_e164)
where c.id = u.id
  and c.sales_contact_id = current_collaborator_id();

-- The clients an import's id column names (onDuplicate: 'update'), through
-- the client_emails view as clientsByEmail.
-- name: clientsById :many
-- params: ids
select e.email_key as email, e.id, e.sales_contact_id as "salesContactId", u.email as "salesContactEmail"
from client_emails e
left join users u on u.id = e.sales_contact_id
where e.id = any($1::integer[]);

-- The clients already having some of an import batch's phone numbers, in
-- E.164 (lib/crm/phone.ts: `06 01 02 03 04` and `+33 6 01 02 03 04` are one
-- number), the first client of each: an index scan of clients_phone_e164_idx
-- (text equality is leakproof, so the row-level policies leave it usable).
-- name: clientsByPhone :many
-- params: phones
select distinct on (c.phone_e164) c.phone_e164 as phone, lower(c.email) as email, c.id,
       c.sales_contact_id as "salesContactId", u.email as "salesContactEmail"
from clients c
left join users u on u.id = c.sales_contact_id
where c.phone_e164 = any($1::text[])
order by c.phone_e164, c.id;

-- A client by email where its id is asked (lib/crm/references.ts): those the session may read.
-- name: findClientIdByEmail :one
-- params: email
select id from clients where lower(email) = lower($1);

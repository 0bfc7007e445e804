-- Collaborators. The password hash is read by the authentication queries only;
-- every record returned to the shell comes from a query that leaves it out.

-- name: createUser :one
-- params: fullName, email, phone, department, passwordHash, employeeNumber
insert into users (full_name, email, phone, department_id, password_hash, employee_number)
select $1, $2, $3, d.id, $5, coalesce($6, 'EE' || lpad(nextval('employee_number_seq')::text, 5, '0'))
from departments d where d.name = $4
returning id, employee_number as "employeeNumber", full_name as "fullName", email, phone, $4::text as department,
          created_at as "createdAt", updated_at as "updatedAt";

-- name: findUserIdByEmail :one
-- params: email
select id from users where lower(email) = lower($1);

-- Every record query below returns the same shape, never the password hash:
-- a collaborator as every read shows it (u: the user row, d: its department).
-- fragment: userColumns
u.id, u.employee_number as "employeeNumber", u.full_name as "fullName", u.email, u.phone, d.name as department,
u.created_at as "createdAt", u.updated_at as "updatedAt"

-- name: getUserById :one
-- params: id
select {{userColumns}}
from users u join departments d on d.id = u.department_id
where u.id = $1;

-- name: getUserByEmail :one
-- params: email
select {{userColumns}}
from users u join departments d on d.id = u.department_id
where lower(u.email) = lower($1);

-- A page of collaborators, sorted (lib/crm/sort.ts fills in %1$I the sort
-- column, %2$s the keyset comparison, %3$s the direction) after the last
-- row's (key, id); department or null; words: one to four LIKE patterns, each
-- found in the search document (008) in any order, or null.
-- name: listUsers :many
-- plan: per-call
-- params: afterKey, afterId, limit, department, words
select {{userColumns}}, u.%1$I::text as "sortKey"
from users u join departments d on d.id = u.department_id
where ($2::integer is null or (u.%1$I, u.id) %2$s ($1, $2))
  and ($4::text is null or d.name = $4)
  and ($5::text[] is null or (
        user_search_doc(u.full_name, u.email, u.employee_number, u.phone) like search_text(($5::text[])[1])
    and (cardinality($5::text[]) < 2 or user_search_doc(u.full_name, u.email, u.employee_number, u.phone) like search_text(($5::text[])[2]))
    and (cardinality($5::text[]) < 3 or user_search_doc(u.full_name, u.email, u.employee_number, u.phone) like search_text(($5::text[])[3]))
    and (cardinality($5::text[]) < 4 or user_search_doc(u.full_name, u.email, u.employee_number, u.phone) like search_text(($5::text[])[4]))))
order by u.%1$I %3$s, u.id %3$s
limit $3;

-- How many collaborators listUsers lists with the same filters.
-- name: countUsers :one
-- plan: per-call
-- params: department, words
select count(*)::integer as count
from users u join departments d on d.id = u.department_id
where ($1::text is null or d.name = $1)
  and ($2::text[] is null or (
        user_search_doc(u.full_name, u.email, u.employee_number, u.phone) like search_text(($2::text[])[1])
    and (cardinality($2::text[]) < 2 or user_search_doc(u.full_name, u.email, u.employee_number, u.phone) like search_text(($2::text[])[2]))
    and (cardinality($2::text[]) < 3 or user_search_doc(u.full_name, u.email, u.employee_number, u.phone) like search_text(($2::text[])[3]))
    and (cardinality($2::text[]) < 4 or user_search_doc(u.full_name, u.email, u.employee_number, u.phone) like search_text(($2::text[])[4]))));

-- Lock the collaborator being changed or deleted; also says what they hold.
-- name: lockUserForChange :one
-- params: id
select u.id, d.name as department,
       (select count(*) from clients c where c.sales_contact_id = u.id)::int as clients,
       (select count(*) from events e where e.support_contact_id = u.id)::int as events
from users u join departments d on d.id = u.department_id
where u.id = $1
for update of u;

-- name: managementCountOthers :one
-- params: id
select count(*)::int as n from users u join departments d on d.id = u.department_id
where d.name = 'management' and u.id <> $1;

-- Optional changes in one statement: null keeps the column; phone has its own
-- flag (phoneGiven) because null is also a value it can be set to. Returns
-- the record as getUserById shows it, as this update left it (its columns
-- named: management may not select password_hash, so no returning *).
-- name: updateUser :one
-- params: id, fullName, email, phoneGiven, phone, department
with updated as (
  update users u set
    full_name     = coalesce($2, u.full_name),
    email         = coalesce($3, u.email),
    phone         = case when $4::boolean then $5 else u.phone end,
    department_id = coalesce((select d.id from departments d where d.name = $6), u.department_id),
    updated_at    = now()
  where u.id = $1
  returning u.id, u.employee_number, u.full_name, u.email, u.phone, u.department_id, u.created_at, u.updated_at
)
select {{userColumns}}
from updated u join departments d on d.id = u.department_id;

-- Separate from updateUser: writing the hash never needs reading it (management
-- may not select password_hash, sql/migrations/003).
-- name: setUserPassword :exec
-- params: id, passwordHash
update users set password_hash = $2, updated_at = now() where id = $1;

-- name: moveClients :exec
-- params: fromId, toId
update clients set sales_contact_id = $2 where sales_contact_id = $1;

-- name: moveEvents :exec
-- params: fromId, toId
update events set support_contact_id = $2 where support_contact_id = $1;

-- name: deleteUser :exec
-- params: id
delete from users where id = $1;

-- What a collaborator holds, read before asking to confirm their deletion
-- (lib/crm/confirm.ts); the deletion itself locks and counts again.
-- name: userHoldings :one
-- params: id
select u.id, u.full_name as "fullName", u.email, d.name as department,
       (select count(*) from clients c where c.sales_contact_id = u.id)::int as clients,
       (select count(*) from events e where e.support_contact_id = u.id)::int as events
from users u join departments d on d.id = u.department_id
where u.id = $1;

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

-- Every record query below returns the same shape, never the password hash.

-- name: getUserById :one
-- params: id
select u.id, u.employee_number as "employeeNumber", u.full_name as "fullName", u.email, u.phone, d.name as department,
       u.created_at as "createdAt", u.updated_at as "updatedAt"
from users u join departments d on d.id = u.department_id
where u.id = $1;

-- name: getUserByEmail :one
-- params: email
select u.id, u.employee_number as "employeeNumber", u.full_name as "fullName", u.email, u.phone, d.name as department,
       u.created_at as "createdAt", u.updated_at as "updatedAt"
from users u join departments d on d.id = u.department_id
where lower(u.email) = lower($1);

-- Keyset page: department or null, an ILIKE pattern or null, the last id seen, rows to fetch.
-- name: listUsers :many
-- plan: per-call
-- params: department, pattern, afterId, limit
select u.id, u.employee_number as "employeeNumber", u.full_name as "fullName", u.email, u.phone, d.name as department,
       u.created_at as "createdAt", u.updated_at as "updatedAt"
from users u join departments d on d.id = u.department_id
where ($1::text is null or d.name = $1)
  and ($2::text is null or u.full_name ilike $2 or u.email ilike $2 or u.employee_number ilike $2)
  and u.id > $3
order by u.id
limit $4;

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
-- flag (phoneGiven) because null is also a value it can be set to.
-- name: updateUser :one
-- params: id, fullName, email, phoneGiven, phone, department
update users u set
  full_name     = coalesce($2, u.full_name),
  email         = coalesce($3, u.email),
  phone         = case when $4::boolean then $5 else u.phone end,
  department_id = coalesce((select d.id from departments d where d.name = $6), u.department_id),
  updated_at    = now()
where u.id = $1
returning u.id;

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

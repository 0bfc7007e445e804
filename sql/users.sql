-- Collaborators. The password hash is read by the authentication queries only;
-- every record returned to the shell comes from a query that leaves it out.

-- name: createUser :one
insert into users (full_name, email, phone, department_id, password_hash, employee_number)
select $1, $2, $3, d.id, $5, coalesce($6, 'EE' || lpad(nextval('employee_number_seq')::text, 5, '0'))
from departments d where d.name = $4
returning id, employee_number as "employeeNumber", full_name as "fullName", email, phone, $4::text as department,
          created_at as "createdAt", updated_at as "updatedAt";

-- name: findUserIdByEmail :one
select id from users where lower(email) = lower($1);

-- Every record query below returns the same shape, never the password hash.

-- name: getUserById :one
select u.id, u.employee_number as "employeeNumber", u.full_name as "fullName", u.email, u.phone, d.name as department,
       u.created_at as "createdAt", u.updated_at as "updatedAt"
from users u join departments d on d.id = u.department_id
where u.id = $1;

-- name: getUserByEmail :one
select u.id, u.employee_number as "employeeNumber", u.full_name as "fullName", u.email, u.phone, d.name as department,
       u.created_at as "createdAt", u.updated_at as "updatedAt"
from users u join departments d on d.id = u.department_id
where lower(u.email) = lower($1);

-- Keyset page: $1 department or null, $2 ILIKE pattern or null, $3 last id seen, $4 rows to fetch.
-- name: listUsers :many
-- plan: per-call
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
select u.id, d.name as department,
       (select count(*) from clients c where c.sales_contact_id = u.id)::int as clients,
       (select count(*) from events e where e.support_contact_id = u.id)::int as events
from users u join departments d on d.id = u.department_id
where u.id = $1
for update of u;

-- name: managementCountOthers :one
select count(*)::int as n from users u join departments d on d.id = u.department_id
where d.name = 'management' and u.id <> $1;

-- Optional changes in one statement: null keeps the column; phone has its own
-- flag ($4) because null is also a value it can be set to.
-- name: updateUser :one
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
update users set password_hash = $2, updated_at = now() where id = $1;

-- name: moveClients :exec
update clients set sales_contact_id = $2 where sales_contact_id = $1;

-- name: moveEvents :exec
update events set support_contact_id = $2 where support_contact_id = $1;

-- name: deleteUser :exec
delete from users where id = $1;

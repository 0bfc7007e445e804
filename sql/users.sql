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

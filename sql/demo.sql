-- Demo data (epic-events --demo), loaded once into the embedded server's demo
-- database, as the owner. The spec's samples plus enough decoys that every
-- filter shows something.

-- name: demoLoaded :one
select exists (select from users where email = 'bill.boquet@demo.epic.events') as loaded;

-- name: demoUser :one
insert into users (full_name, email, phone, department_id, password_hash, employee_number)
values ($1, $2, $3, (select id from departments where name = $4), $5, $6)
returning id;

-- name: demoClient :one
insert into clients (full_name, email, phone, company_name, created_at, updated_at, sales_contact_id)
values ($1, $2, $3, $4, $5, $6, $7)
returning id;

-- name: demoContract :one
insert into contracts (client_id, total_amount, amount_due, created_at, signed_at)
values ($1, $2, $3, $4, $5)
returning id;

-- name: demoEvent :one
insert into events (contract_id, name, start_at, end_at, support_contact_id, location, attendees, notes)
values ($1, $2, $3, $4, $5, $6, $7, $8)
returning id;

-- name: demoUserByDepartment :one
select id from users
where department_id = (select id from departments where name = $1) and email like '%@demo.epic.events'
order by id limit 1;

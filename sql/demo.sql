-- Demo data (epic-events --demo), loaded once into the embedded server's demo
-- database, as the owner. The spec's samples plus enough decoys that every
-- filter shows something.

-- name: demoLoaded :one
select exists (select from users where email = 'bill.boquet@demo.epic.events') as loaded;

-- name: demoUser :one
-- params: fullName, email, phone, department, passwordHash, employeeNumber
insert into users (full_name, email, phone, department_id, password_hash, employee_number)
values ($1, $2, $3, (select id from departments where name = $4), $5, $6)
returning id;

-- name: demoClient :one
-- params: fullName, email, phone, companyName, createdAt, updatedAt, salesContactId
insert into clients (full_name, email, phone, company_name, created_at, updated_at, sales_contact_id)
values ($1, $2, $3, $4, $5, $6, $7)
returning id;

-- name: demoContract :one
-- params: clientId, totalAmount, amountDue, createdAt, signedAt
insert into contracts (client_id, total_amount, amount_due, created_at, signed_at)
values ($1, $2, $3, $4, $5)
returning id;

-- name: demoEvent :one
-- params: contractId, name, startAt, endAt, supportContactId, location, attendees, notes
insert into events (contract_id, name, start_at, end_at, support_contact_id, location, attendees, notes)
values ($1, $2, $3, $4, $5, $6, $7, $8)
returning id;

-- name: demoUserByDepartment :one
-- params: department
select id from users
where department_id = (select id from departments where name = $1) and email like '%@demo.epic.events'
order by id limit 1;

-- A believable history for the demo (the rows above were written by the owner,
-- as "system"): who created, signed, paid, assigned and annotated what, when.
-- name: demoHistory :exec
with manager as (select id, full_name from users where employee_number = 'DEMO-M1'),
entries (at, actor_id, object, record_id, action, changes) as (
  select c.created_at, c.sales_contact_id, 'client', c.id, 'created', null::jsonb from clients c
  union all
  select k.created_at, (select id from manager), 'contract', k.id, 'created', null from contracts k
  union all
  select k.signed_at, c.sales_contact_id, 'contract', k.id, 'signed', null
  from contracts k join clients c on c.id = k.client_id where k.signed_at is not null
  union all
  select k.signed_at + interval '12 days', (select id from manager), 'contract', k.id, 'payment',
         jsonb_build_object('amountDue', jsonb_build_array(to_char(k.total_amount, 'FM999999990.00'), to_char(k.amount_due, 'FM999999990.00')))
  from contracts k where k.signed_at is not null and k.amount_due < k.total_amount
  union all
  select k.signed_at + interval '1 day', c.sales_contact_id, 'event', e.id, 'created', null
  from events e join contracts k on k.id = e.contract_id join clients c on c.id = k.client_id
  union all
  select k.signed_at + interval '2 days', (select id from manager), 'event', e.id, 'assigned',
         jsonb_build_object('supportContactId', jsonb_build_array(null, e.support_contact_id))
  from events e join contracts k on k.id = e.contract_id where e.support_contact_id is not null
  union all
  select k.signed_at + interval '5 days', e.support_contact_id, 'event', e.id, 'updated',
         jsonb_build_object('notes', jsonb_build_array(null, e.notes))
  from events e join contracts k on k.id = e.contract_id where e.support_contact_id is not null and e.notes is not null
),
cleared as (delete from change_log)
insert into change_log (at, actor_id, actor_name, object, record_id, action, changes)
select n.at, n.actor_id, coalesce(u.full_name, 'system'), n.object, n.record_id, n.action, n.changes
from entries n left join users u on u.id = n.actor_id
order by n.at;

-- epic-events --demo DEPT --reset: the demo database emptied of everything
-- loaded or done since, before the demo data is loaded again.
-- Sessions are deleted before the truncation: the delete ends each one's login
-- role (sql/migrations/040), which is named by the session's id, and the ids
-- start again at 1.
-- name: demoResetSessions :exec
delete from sessions;

-- name: demoReset :exec
truncate follow_ups, events, contracts, clients, sessions, users, login_attempts, change_log,
         report_signed_totals, report_pipeline_totals, report_client_balances, trash, client_imports,
         session_endings restart identity;

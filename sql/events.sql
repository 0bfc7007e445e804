-- Events. Records carry the client's name, email and phone (through the
-- contract) and the support contact's name.

-- name: getEvent :one
select e.id, e.name, e.contract_id as "contractId",
       c.full_name as "clientName", c.email as "clientEmail", c.phone as "clientPhone",
       e.start_at as "startAt", e.end_at as "endAt",
       e.support_contact_id as "supportContactId", s.full_name as "supportContactName",
       e.location, e.attendees, e.notes, e.created_at as "createdAt", e.updated_at as "updatedAt"
from events e
join contracts k on k.id = e.contract_id
join clients c on c.id = k.client_id
left join users s on s.id = e.support_contact_id
where e.id = $1;

-- $3 unassigned, $4 support contact, $5 the client's sales contact, $6 contract id,
-- $7/$8 start from (inclusive) / to (exclusive).
-- name: listEvents :many
-- plan: per-call
select e.id, e.name, e.contract_id as "contractId",
       c.full_name as "clientName", c.email as "clientEmail", c.phone as "clientPhone",
       e.start_at as "startAt", e.end_at as "endAt",
       e.support_contact_id as "supportContactId", s.full_name as "supportContactName",
       e.location, e.attendees, e.notes, e.created_at as "createdAt", e.updated_at as "updatedAt"
from events e
join contracts k on k.id = e.contract_id
join clients c on c.id = k.client_id
left join users s on s.id = e.support_contact_id
where e.id > $1
  and ($3::boolean is null or (e.support_contact_id is null) = $3)
  and ($4::integer is null or e.support_contact_id = $4)
  and ($5::integer is null or c.sales_contact_id = $5)
  and ($6::integer is null or e.contract_id = $6)
  and ($7::timestamptz is null or e.start_at >= $7)
  and ($8::timestamptz is null or e.start_at < $8)
order by e.id
limit $2;

-- name: eventOfContract :one
select id from events where contract_id = $1;

-- name: createEvent :one
insert into events (contract_id, name, start_at, end_at, location, attendees, notes)
values ($1, $2, $3, $4, $5, $6, $7)
returning id;

-- The event as an update checks it, locked until the transaction ends.
-- name: lockEvent :one
select e.id, e.name, e.start_at as "startAt", e.end_at as "endAt", e.location, e.attendees, e.notes,
       e.support_contact_id as "supportContactId", s.email as "supportContactEmail"
from events e
left join users s on s.id = e.support_contact_id
where e.id = $1
for update of e;

-- The same row without a lock: when the locking read finds nothing, tells a
-- missing row from one the caller's department may not change (row security
-- hides rows from FOR UPDATE that its policies refuse).
-- name: peekEvent :one
select e.id, e.name, e.start_at as "startAt", e.end_at as "endAt", e.location, e.attendees, e.notes,
       e.support_contact_id as "supportContactId", s.email as "supportContactEmail"
from events e
left join users s on s.id = e.support_contact_id
where e.id = $1;

-- name: updateEvent :exec
update events
set name = $2, start_at = $3, end_at = $4, location = $5, attendees = $6, notes = $7,
    updated_at = now()
where id = $1;

-- The collaborator an event is given to, locked so their department cannot
-- change before we commit.
-- name: lockSupportCandidate :one
select u.id, u.email, d.name as department
from users u
join departments d on d.id = u.department_id
where u.id = $1
for share of u;

-- name: assignEvent :exec
update events
set support_contact_id = $2, updated_at = now()
where id = $1;

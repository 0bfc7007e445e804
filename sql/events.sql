-- Events. Records carry the client's name, email and phone (through the
-- contract) and the support contact's name.

-- One select list per projection: an event as every read shows it (e: the
-- event row, c: the client through its contract, s: the support contact), and
-- the row a write checks (lockEvent locks it, peekEvent reads it).
-- fragment: eventColumns
e.id, e.name, e.contract_id as "contractId",
c.full_name as "clientName", c.email as "clientEmail", c.phone as "clientPhone",
e.start_at as "startAt", e.end_at as "endAt",
e.support_contact_id as "supportContactId", s.full_name as "supportContactName",
e.location, e.attendees, e.notes, e.created_at as "createdAt", e.updated_at as "updatedAt"

-- What eventColumns reads beside the event row (e): its contract, the
-- client through it, the support contact.
-- fragment: eventJoins
join contracts k on k.id = e.contract_id
join clients c on c.id = k.client_id
left join users s on s.id = e.support_contact_id

-- fragment: eventLockRow
select e.id, e.name, e.start_at as "startAt", e.end_at as "endAt", e.location, e.attendees, e.notes,
       e.support_contact_id as "supportContactId", s.email as "supportContactEmail"
from events e
left join users s on s.id = e.support_contact_id
where e.id = $1

-- name: getEvent :one
-- params: id
select {{eventColumns}}
from events e
{{eventJoins}}
where e.id = $1;

-- events.restore(id): the event as restore_record() brought it back
-- (sql/security/60_trash.sql): the function's row, not a second read.
-- name: restoreEvent :one
-- params: id
select {{eventColumns}}
from restore_record('event', $1) r
cross join lateral jsonb_populate_record(null::events, r) e
{{eventJoins}};

-- A page of events, sorted (lib/crm/sort.ts fills in %1$I the sort column,
-- %2$s the keyset comparison, %3$s the direction; an index on (column, id)
-- serves each) after the last row's (key, id): afterId null for the first page.
-- salesContactId: the client's sales contact; from (inclusive) / to (exclusive): the start.
-- name: listEvents :many
-- plan: per-call
-- params: afterKey, afterId, limit, unassigned, supportContactId, salesContactId, contractId, from, to
select {{eventColumns}},
       e.%1$I::text as "sortKey"
from events e
{{eventJoins}}
where ($2::integer is null or (e.%1$I, e.id) %2$s ($1, $2))
  and ($4::boolean is null or (e.support_contact_id is null) = $4)
  and ($5::integer is null or e.support_contact_id = $5)
  and ($6::integer is null or c.sales_contact_id = $6)
  and ($7::integer is null or e.contract_id = $7)
  and ($8::timestamptz is null or e.start_at >= $8)
  and ($9::timestamptz is null or e.start_at < $9)
order by e.%1$I %3$s, e.id %3$s
limit $3;

-- How many events listEvents lists with the same filters.
-- name: countEvents :one
-- plan: per-call
-- params: unassigned, supportContactId, salesContactId, contractId, from, to
select count(*)::integer as count
from events e
join contracts k on k.id = e.contract_id
join clients c on c.id = k.client_id
where ($1::boolean is null or (e.support_contact_id is null) = $1)
  and ($2::integer is null or e.support_contact_id = $2)
  and ($3::integer is null or c.sales_contact_id = $3)
  and ($4::integer is null or e.contract_id = $4)
  and ($5::timestamptz is null or e.start_at >= $5)
  and ($6::timestamptz is null or e.start_at < $6);

-- name: eventOfContract :one
-- params: contractId
select id from events where contract_id = $1;

-- Returns the event as getEvent shows it, as the insert left it (no second read).
-- name: createEvent :one
-- params: contractId, name, startAt, endAt, location, attendees, notes
with created as (
  insert into events (contract_id, name, start_at, end_at, location, attendees, notes)
  values ($1, $2, $3, $4, $5, $6, $7)
  returning *
)
select {{eventColumns}}
from created e
{{eventJoins}};

-- The event as an update checks it, locked until the transaction ends.
-- name: lockEvent :one
-- params: id
{{eventLockRow}}
for update of e;

-- The same row without a lock: when the locking read finds nothing, tells a
-- missing row from one the caller's department may not change (row security
-- hides rows from FOR UPDATE that its policies refuse).
-- name: peekEvent :one
-- params: id
{{eventLockRow}};

-- Returns the event as getEvent shows it, as this update left it (no second read).
-- name: updateEvent :one
-- params: id, name, startAt, endAt, location, attendees, notes
with updated as (
  update events
  set name = $2, start_at = $3, end_at = $4, location = $5, attendees = $6, notes = $7,
      updated_at = now()
  where id = $1
  returning *
)
select {{eventColumns}}
from updated e
{{eventJoins}};

-- The collaborator an event is given to, locked so their department cannot
-- change before we commit.
-- name: lockSupportCandidate :one
-- params: id
select u.id, u.email, d.name as department
from users u
join departments d on d.id = u.department_id
where u.id = $1
for share of u;

-- Returns the event as getEvent shows it, with its new support contact's name.
-- name: assignEvent :one
-- params: id, supportContactId
with updated as (
  update events
  set support_contact_id = $2, updated_at = now()
  where id = $1
  returning *
)
select {{eventColumns}}
from updated e
{{eventJoins}};

-- Follow-ups (sql/migrations/031_follow_ups.sql): dated reminders about a
-- client. Row-level security decides which ones a caller reads (sales: their
-- clients'; management: all) and may mark done.

-- The client a follow-up is set on, with what the ownership rule reads.
-- name: followUpClient :one
-- params: id
select c.id, c.full_name as "fullName", c.sales_contact_id as "salesContactId", u.email as "salesContactEmail"
from clients c
left join users u on u.id = c.sales_contact_id
where c.id = $1;

-- A new follow-up; set_by is the verified session's collaborator (the
-- column's default, checked by the insert policies).

-- A follow-up as getFollowUp and doneFollowUp show it (f: the follow-up, c:
-- its client, s: who set it, d: who marked it done).
-- fragment: followUpColumns
f.id, f.client_id as "clientId", c.full_name as "clientName", f.due_at as "dueAt", f.note,
f.set_by as "setById", s.full_name as "setByName", f.created_at as "createdAt",
f.done_at as "doneAt", d.full_name as "doneByName"

-- The follow-up's client, who set it and who marked it done (the joins followUpColumns reads).
-- fragment: followUpJoins
join clients c on c.id = f.client_id
left join users s on s.id = f.set_by
left join users d on d.id = f.done_by

-- Returns the follow-up as getFollowUp shows it, as the insert left it (no
-- second read).
-- name: createFollowUp :one
-- params: clientId, dueAt, note
with created as (
  insert into follow_ups (client_id, due_at, note) values ($1, $2, $3)
  returning *
)
select {{followUpColumns}}
from created f
{{followUpJoins}};

-- name: getFollowUp :one
-- params: id
select {{followUpColumns}}
from follow_ups f
{{followUpJoins}}
where f.id = $1;

-- Open follow-ups by due time, a keyset page after (afterDue, afterId).
-- mine: the caller's id (set by them, or on their clients) or null; dueBy:
-- due at or before it, or null; clientId: one client's, or null. The partial
-- index follow_ups_open_due_idx gives them in order.
-- name: listFollowUps :many
-- plan: per-call
-- params: mine, dueBy, clientId, afterDue, afterId, limit
select f.id, f.client_id as "clientId", c.full_name as "clientName", f.due_at as "dueAt", f.note,
       f.set_by as "setById", s.full_name as "setByName", f.created_at as "createdAt",
       f.done_at as "doneAt", null::text as "doneByName"
from follow_ups f
join clients c on c.id = f.client_id
left join users s on s.id = f.set_by
where f.done_at is null
  and ($1::integer is null or f.set_by = $1 or c.sales_contact_id = $1)
  and ($2::timestamptz is null or f.due_at <= $2)
  and ($3::integer is null or f.client_id = $3)
  and ($5::integer is null or (f.due_at, f.id) > ($4::timestamptz, $5))
order by f.due_at, f.id
limit $6;

-- The open follow-up, locked, when the caller may mark it done (the update
-- policies hide the others from FOR UPDATE), with what the ownership rule reads.
-- name: lockFollowUp :one
-- params: id
select f.id, f.client_id as "clientId", c.sales_contact_id as "salesContactId", u.email as "salesContactEmail"
from follow_ups f
join clients c on c.id = f.client_id
left join users u on u.id = c.sales_contact_id
where f.id = $1
for update of f;

-- The follow-up as the caller may read it (done or not).
-- name: peekFollowUp :one
-- params: id
select f.id, f.done_at as "doneAt" from follow_ups f where f.id = $1;

-- Which client a follow-up is about, even one the caller may not read.
-- name: followUpClientOf :one
-- params: id
select follow_up_client($1) as "clientId";

-- Returns the follow-up as getFollowUp shows it, as this update left it (no second read).
-- name: doneFollowUp :one
-- params: id
with done as (
  update follow_ups set done_at = now(), done_by = current_collaborator_id() where id = $1
  returning *
)
select {{followUpColumns}}
from done f
{{followUpJoins}};

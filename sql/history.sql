-- Record history (sql/migrations/007_change_log.sql), newest first, a page at
-- a time: keyset on id descending (beforeId: the last id seen, or null for the first page).

-- people: the names of the collaborators a change's salesContactId and
-- supportContactId hold ({"4": "Bill Boquet"}), those still there and visible;
-- recordName: the record's name (a contract's: its client's), null when gone.

-- object: client, contract, event or user.
-- name: recordHistory :many
-- plan: per-call
-- params: object, recordId, beforeId, limit
select id, at, actor_id as "actorId", actor_name as "actorName", object, record_id as "recordId", action, changes, note,
       (select jsonb_object_agg(u.id::text, u.full_name) from users u
        where u.id in (select v.id::integer from unnest(array['salesContactId', 'supportContactId']) as k(name),
                       jsonb_array_elements_text(case when jsonb_typeof(changes -> k.name) = 'array' then changes -> k.name else '[]'::jsonb end) as v(id))) as "people",
       case object when 'client' then (select c.full_name from clients c where c.id = record_id)
                       when 'user' then (select u.full_name from users u where u.id = record_id)
                       when 'event' then (select e.name from events e where e.id = record_id)
                       when 'contract' then (select c.full_name from contracts k join clients c on c.id = k.client_id where k.id = record_id) end as "recordName"
from change_log
where object = $1 and record_id = $2 and ($3::bigint is null or id < $3)
order by id desc
limit $4;

-- A feed of recent changes. by (collaborator id), since, object: null when not
-- asked for; everyone: management's view, or else only the caller's changes and
-- their records' (sales: their clients, their contracts and events; support: the
-- events assigned to them).
-- name: activity :many
-- plan: per-call
-- params: by, since, object, everyone, beforeId, limit
select l.id, l.at, l.actor_id as "actorId", l.actor_name as "actorName", l.object, l.record_id as "recordId", l.action, l.changes, l.note,
       (select jsonb_object_agg(u.id::text, u.full_name) from users u
        where u.id in (select v.id::integer from unnest(array['salesContactId', 'supportContactId']) as k(name),
                       jsonb_array_elements_text(case when jsonb_typeof(l.changes -> k.name) = 'array' then l.changes -> k.name else '[]'::jsonb end) as v(id))) as "people",
       case l.object when 'client' then (select c.full_name from clients c where c.id = l.record_id)
                       when 'user' then (select u.full_name from users u where u.id = l.record_id)
                       when 'event' then (select e.name from events e where e.id = l.record_id)
                       when 'contract' then (select c.full_name from contracts k join clients c on c.id = k.client_id where k.id = l.record_id) end as "recordName"
from change_log l
where ($1::integer is null or l.actor_id = $1)
  and ($2::timestamptz is null or l.at >= $2)
  and ($3::text is null or l.object = $3)
  and ($5::bigint is null or l.id < $5)
  and ($4::boolean
       or l.actor_id = current_collaborator_id()
       or (l.object = 'client' and exists (select from clients c where c.id = l.record_id and c.sales_contact_id = current_collaborator_id()))
       or (l.object = 'contract' and exists (select from contracts k join clients c on c.id = k.client_id
                                              where k.id = l.record_id and c.sales_contact_id = current_collaborator_id()))
       or (l.object = 'event' and exists (select from events e join contracts k on k.id = e.contract_id join clients c on c.id = k.client_id
                                           where e.id = l.record_id
                                             and (e.support_contact_id = current_collaborator_id() or c.sales_contact_id = current_collaborator_id()))))
order by l.id desc
limit $6;

-- One entry (what undo(id) is about to undo, said before it asks).
-- name: historyEntry :one
-- params: id
select id, at, actor_id as "actorId", actor_name as "actorName", object, record_id as "recordId", action, changes, note
from change_log
where id = $1;

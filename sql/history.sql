-- Record history (sql/migrations/007_change_log.sql), newest first, a page at
-- a time: keyset on id descending (beforeId: the last id seen, or null for the first page).

-- object: client, contract, event or user.
-- name: recordHistory :many
-- plan: per-call
-- params: object, recordId, beforeId, limit
select id, at, actor_id as "actorId", actor_name as "actorName", object, record_id as "recordId", action, changes, note
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
select l.id, l.at, l.actor_id as "actorId", l.actor_name as "actorName", l.object, l.record_id as "recordId", l.action, l.changes, l.note
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

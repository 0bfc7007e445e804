-- The way back (sql/migrations/026-028): the trash, undo, erasure. Each
-- statement runs with the caller's identity; PostgreSQL's policies and
-- functions decide what it may do.

-- To the trash: a DELETE is a move there (026's trigger), with what goes with
-- the record. Row-level security leaves out a row the department may not
-- delete (0 rows: whyNotDeleted says why).
-- name: deleteClient :exec
-- params: id
delete from clients where id = $1;

-- name: deleteContract :exec
-- params: id
delete from contracts where id = $1;

-- name: deleteEvent :exec
-- params: id
delete from events where id = $1;

-- A delete that touched nothing: is the record there (refused), in the trash, or neither?
-- name: whyNotDeleted :one
-- params: object, id
select case $1::text when 'client' then exists (select from clients c where c.id = $2)
                     when 'contract' then exists (select from contracts k where k.id = $2)
                     else exists (select from events e where e.id = $2) end as live,
       exists (select from trash t where t.object = $1 and t.record_id = $2) as "inTrash";

-- What the caller may see in the trash (026's policy), newest first, keyset
-- on id (beforeId: the last id seen). Only what was deleted itself; what went
-- with it is counted (two index lookups of trash_went_with_idx per row: a
-- client's contracts, then their events).
-- name: listTrash :many
-- plan: per-call
-- params: object, beforeId, limit
select t.id, t.object, t.record_id as "recordId",
       case t.object
         when 'client' then concat(t.record ->> 'full_name', ' <', t.record ->> 'email', '>')
         when 'contract' then concat('client ', t.record ->> 'client_id', ', total ', to_char((t.record ->> 'total_amount')::numeric, 'FM9999999999990.00'))
         else t.record ->> 'name'
       end as what,
       ((select count(*) from trash w where w.went_with = t.id)
        + (select count(*) from trash x join trash w on w.went_with = x.id where x.went_with = t.id))::integer as "withRecords",
       t.deleted_at as "deletedAt", t.deleted_by_name as "deletedBy"
from trash t
where t.went_with is null
  and ($1::text is null or t.object = $1)
  and ($2::bigint is null or t.id < $2)
order by t.id desc
limit $3;

-- name: emptyTrash :one
-- params: olderThan
select empty_trash($1::interval) as purged;

-- name: undoChange :one
-- params: entryId
select undo_change($1) as result;

-- name: undoImport :one
-- params: importId
select undo_import($1) as result;

-- name: eraseClient :exec
-- params: id
select erase_client($1);

-- name: personalData :one
-- params: id
select client_personal_data($1) as data;

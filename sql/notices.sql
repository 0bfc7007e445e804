-- Notices at the prompt (lib/crm/notices.ts, migration 033).

-- name: listenChanges :exec
listen epic_change;

-- The history entries fromId..toId that concern the caller, read under their
-- session (what the row policies let them read): a contract of their client
-- signed or paid, an event assigned to them or changed, a client given to
-- them; never their own changes. At most 20 (a larger range says "and more").
-- name: noticesBetween :many
-- params: fromId, toId
select l.id, l.at, l.actor_name as "actorName", l.object, l.record_id as "recordId", l.action, l.changes,
       coalesce(kc.full_name, e.name, c.full_name) as "recordName",
       k.total_amount::text as "totalAmount", k.amount_due::text as "amountDue"
from change_log l
left join contracts k on l.object = 'contract' and k.id = l.record_id
left join clients kc on kc.id = k.client_id
left join events e on l.object = 'event' and e.id = l.record_id
left join clients c on l.object = 'client' and c.id = l.record_id
where l.id between $1 and $2
  and l.actor_id is distinct from current_collaborator_id()
  and ((l.object = 'contract' and l.action in ('signed', 'payment') and kc.sales_contact_id = current_collaborator_id())
    or (l.object = 'event' and l.action in ('assigned', 'updated') and e.support_contact_id = current_collaborator_id())
    or (l.object = 'client' and l.action = 'assigned' and c.sales_contact_id = current_collaborator_id()))
order by l.id
limit 20;

-- Open follow-ups of the caller's (set by them, or on their clients) that
-- fell due after `since` and by `until` (the partial index of migration 031).
-- name: followUpsFallingDue :many
-- params: since, until
select f.id, f.due_at as "dueAt", f.note, c.full_name as "clientName"
from follow_ups f join clients c on c.id = f.client_id
where f.done_at is null and f.due_at > $1 and f.due_at <= $2
  and (f.set_by = current_collaborator_id() or c.sales_contact_id = current_collaborator_id())
order by f.due_at, f.id
limit 20;

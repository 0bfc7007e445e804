-- The digest printed at login (lib/crm/digest.ts): a few counts, each on an
-- index or on the report totals of migration 009.

-- The caller's events starting between from and to: support's assigned to
-- them, sales' of their clients, management's all of them; and the first one.
-- name: digestEvents :one
-- plan: per-call
-- params: supportContactId, salesContactId, from, to
with mine as (
  select e.id, e.name, e.start_at
  from events e
  where e.start_at >= $3 and e.start_at < $4
    and ($1::integer is null or e.support_contact_id = $1)
    and ($2::integer is null or exists (select from contracts k join clients c on c.id = k.client_id
                                        where k.id = e.contract_id and c.sales_contact_id = $2))
)
select (select count(*)::integer from mine) as count,
       n.name as "nextName", n.start_at as "nextAt"
from (select 1) one
left join lateral (select m.name, m.start_at from mine m order by m.start_at, m.id limit 1) n on true;

-- Unsigned contracts and amounts still due, as the report views scope them
-- (management: all; sales: their clients'), from the per-day totals.
-- name: digestContracts :one
select (select coalesce(sum(p.contracts), 0)::integer from report_pipeline p) as unsigned,
       (select coalesce(sum(p.value), 0)::text from report_pipeline p) as "unsignedValue",
       (select coalesce(sum(s.unpaid), 0)::integer from report_signed s) as unpaid,
       (select coalesce(sum(s.due_total), 0)::text from report_signed s) as due;

-- Events not over yet that have no support contact, and the first to start.
-- name: digestUnassigned :one
-- params: now
select count(*)::integer as count, min(e.start_at) as "nextAt"
from events e
where e.support_contact_id is null and e.end_at > $1;

-- Open follow-ups due by now that are the caller's (set by them, or on their
-- clients), and the first of them (the partial index of migration 031).
-- name: digestFollowUps :one
-- params: userId, now
with due as (
  select f.id, f.due_at, f.note, c.full_name
  from follow_ups f join clients c on c.id = f.client_id
  where f.done_at is null and f.due_at <= $2
    and (f.set_by = $1 or c.sales_contact_id = $1)
)
select (select count(*)::integer from due) as count, n.full_name as "firstClient", n.note as "firstNote"
from (select 1) one
left join lateral (select d.full_name, d.note from due d order by d.due_at, d.id limit 1) n on true;

-- Whether the database has anyone but the caller, and any client: an empty
-- one greets its first manager with the first steps (lib/shell/digest.ts).
-- name: digestStart :one
-- params: userId
select exists (select from users u where u.id <> $1) as colleagues,
       exists (select from clients) as clients;

-- Reports (lib/crm/reports.ts), read through the report views of migration
-- 009: their scope (management: everything; sales: their own clients) is the
-- database's. Sums are numeric, returned as text ('1500.00').

-- Signed contracts grouped by sales contact or by month (in the zone tz).
-- Whole UTC days come from the per-day totals; the few days that a bound
-- (from, to) or a month boundary cuts through are read contract by contract
-- (contracts_signed_at_idx), so every figure is exact at any bound.
-- name: revenue :many
-- plan: per-call
-- params: by, from, to, tz
with p as (select $2::timestamptz as f, $3::timestamptz as t, $4::text as tz, $1::text = 'month' as by_month),
span as (
  select coalesce(p.f, (select min(day) from report_signed)::timestamp at time zone 'UTC') as lo,
         coalesce(p.t, ((select max(day) from report_signed) + 1)::timestamp at time zone 'UTC') as hi
  from p
),
cuts as (
  select p.f as c from p where p.f is not null
  union all select p.t from p where p.t is not null
  union all
  select g at time zone p.tz from p, span,
         generate_series(date_trunc('month', span.lo at time zone p.tz), span.hi at time zone p.tz, interval '1 month') g
  where p.by_month
),
cut_days as (
  select distinct (c at time zone 'UTC')::date as day from cuts
  where c <> ((c at time zone 'UTC')::date)::timestamp at time zone 'UTC'
),
lines as (
  select s.sales_contact_id, s.day::timestamp at time zone 'UTC' as at, s.contracts, s.signed_total, s.due_total
  from report_signed s, p
  where s.contracts <> 0
    and s.day not in (select day from cut_days)
    and (p.f is null or s.day::timestamp at time zone 'UTC' >= p.f)
    and (p.t is null or (s.day + 1)::timestamp at time zone 'UTC' <= p.t)
  union all
  select k.sales_contact_id, k.signed_at, 1, k.total_amount, k.amount_due
  from p, cut_days d
  cross join lateral (
    select case when not p.by_month then (select c.sales_contact_id from clients c where c.id = k.client_id) end as sales_contact_id,
           k.signed_at, k.total_amount, k.amount_due
    from report_contracts k
    where k.signed_at >= d.day::timestamp at time zone 'UTC' and k.signed_at < (d.day + 1)::timestamp at time zone 'UTC'
    offset 0 -- one index range per cut day (kept from being flattened into a scan of every contract)
  ) k
  where (p.f is null or k.signed_at >= p.f) and (p.t is null or k.signed_at < p.t)
),
grouped as (
  select case when p.by_month then to_char(l.at at time zone p.tz, 'YYYY-MM') end as month,
         case when not p.by_month then l.sales_contact_id end as sales_contact_id,
         sum(l.contracts) as contracts, sum(l.signed_total) as signed, sum(l.due_total) as due
  from lines l cross join p
  group by 1, 2
)
select g.month, g.sales_contact_id as "salesContactId", u.full_name as "salesContact", g.contracts::integer as contracts,
       g.signed::text as signed, (g.signed - g.due)::text as collected, g.due::text as due
from grouped g left join users u on u.id = g.sales_contact_id
where g.contracts <> 0
order by g.month, u.full_name nulls last, g.sales_contact_id;

-- Signed contracts per client, a page at a time in client order (streamed
-- from contracts_client_idx: a page reads only its clients' contracts).
-- name: revenueByClient :many
-- plan: per-call
-- params: from, to, afterId, limit
with page as (
  select k.client_id, count(*)::integer as contracts, sum(k.total_amount) as signed, sum(k.amount_due) as due
  from report_contracts k
  where k.signed_at is not null
    and ($1::timestamptz is null or k.signed_at >= $1)
    and ($2::timestamptz is null or k.signed_at < $2)
    and k.client_id > $3
  group by k.client_id
  order by k.client_id
  limit $4
)
select p.client_id as id, c.full_name as client, c.sales_contact_id as "salesContactId", u.full_name as "salesContact", p.contracts,
       p.signed::text as signed, (p.signed - p.due)::text as collected, p.due::text as due
from page p
join clients c on c.id = p.client_id
left join users u on u.id = c.sales_contact_id
order by p.client_id;

-- Who still owes what on signed contracts, largest amount first; keyset on
-- (due, client id) through report_client_balances_due_idx.
-- name: unpaid :many
-- plan: per-call
-- params: afterDue, afterId, limit
select b.client_id as id, c.full_name as client, c.email, c.phone, u.full_name as "salesContact",
       b.contracts, b.due::text as due
from report_balances b
join clients c on c.id = b.client_id
left join users u on u.id = b.sales_contact_id
where $1::numeric is null or b.due < $1 or (b.due = $1 and b.client_id > $2)
order by b.due desc, b.client_id
limit $3;

-- Unsigned contracts and their value, per sales contact.
-- name: pipeline :many
select p.sales_contact_id as "salesContactId", u.full_name as "salesContact", p.contracts, p.value::text as value
from report_pipeline p
left join users u on u.id = p.sales_contact_id
where p.contracts <> 0
order by u.full_name nulls last, p.sales_contact_id;

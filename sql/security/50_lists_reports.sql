-- The security model, 5: what lists, search and reports stand on. The search
-- documents (immutable helpers of the indexes and the views client_find,
-- event_find), and the totals behind the report views and the list counts
-- (contract_tallies, report_*_totals): written only by these triggers, as
-- the owner, never by a department.

-- unaccent() is STABLE (its dictionary could change); naming the dictionary
-- and its function explicitly makes this one fixed mapping, IMMUTABLE as an
-- index expression needs.
create or replace function search_text(p_text text) returns text
language sql immutable parallel safe strict
as $$ select lower(epic.unaccent('epic.unaccent'::regdictionary, p_text)) $$;

-- The phone number as its digits.
create or replace function search_digits(p_phone text) returns text
language sql immutable parallel safe
as $$ select coalesce(regexp_replace(p_phone, '[^0-9]', '', 'g'), '') $$;

create or replace function client_search_doc(p_full_name text, p_email text, p_phone text, p_company_name text) returns text
language sql immutable parallel safe
as $$ select epic.search_text(concat_ws(' ', p_full_name, p_email, p_company_name, p_phone, epic.search_digits(p_phone))) $$;

create or replace function event_search_doc(p_name text, p_location text, p_notes text) returns text
language sql immutable parallel safe
as $$ select epic.search_text(concat_ws(' ', p_name, p_location, p_notes)) $$;

create or replace function user_search_doc(p_full_name text, p_email text, p_employee_number text, p_phone text) returns text
language sql immutable parallel safe
as $$ select epic.search_text(concat_ws(' ', p_full_name, p_email, p_employee_number, p_phone, epic.search_digits(p_phone))) $$;

create or replace function tally_contracts(p_sales integer, p_signed boolean, p_unpaid boolean, p_delta bigint) returns void
language sql volatile security definer set search_path = epic, pg_temp
as $$
  insert into contract_tallies as t (sales_contact_id, signed, unpaid, contracts)
  values (coalesce(p_sales, 0), p_signed, p_unpaid, p_delta)
  on conflict (sales_contact_id, signed, unpaid) do update set contracts = t.contracts + excluded.contracts
$$;

create or replace function contracts_tally() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
begin
  if tg_op = 'UPDATE' and old.client_id = new.client_id and (old.signed_at is null) = (new.signed_at is null)
     and (old.amount_due > 0) = (new.amount_due > 0) then
    return null;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    perform tally_contracts((select c.sales_contact_id from clients c where c.id = old.client_id), old.signed_at is not null, old.amount_due > 0, -1);
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    perform tally_contracts((select c.sales_contact_id from clients c where c.id = new.client_id), new.signed_at is not null, new.amount_due > 0, 1);
  end if;
  return null;
end $$;

-- A client given to another salesperson (or to nobody) takes its contracts' tallies along.
create or replace function clients_tally() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
declare
  r record;
begin
  if new.sales_contact_id is distinct from old.sales_contact_id then
    for r in select k.signed_at is not null as signed, k.amount_due > 0 as unpaid, count(*) as n
             from contracts k where k.client_id = new.id group by 1, 2 loop
      perform tally_contracts(old.sales_contact_id, r.signed, r.unpaid, -r.n);
      perform tally_contracts(new.sales_contact_id, r.signed, r.unpaid, r.n);
    end loop;
  end if;
  return null;
end $$;

create or replace function contracts_tally_truncate() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$ begin delete from contract_tallies; return null; end $$;

-- Recount from the contracts (after a bulk load that skipped the triggers: bench/generate.ts).
create or replace function rebuild_contract_tallies() returns void
language sql volatile security definer set search_path = epic, pg_temp
as $$
  delete from contract_tallies;
  insert into contract_tallies (sales_contact_id, signed, unpaid, contracts)
  select coalesce(c.sales_contact_id, 0), k.signed_at is not null, k.amount_due > 0, count(*)
  from contracts k join clients c on c.id = k.client_id
  group by 1, 2, 3;
$$;

create or replace function report_add(p_sales integer, p_client integer, p_signed_at timestamptz, p_total numeric, p_due numeric, p_sign integer) returns void
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
begin
  if p_signed_at is null then
    insert into report_pipeline_totals as t values (p_sales, p_sign, p_sign * p_total)
    on conflict (sales_contact_id) do update set contracts = t.contracts + excluded.contracts, value = t.value + excluded.value;
    return;
  end if;
  insert into report_signed_totals as t
  values (p_sales, (p_signed_at at time zone 'UTC')::date, p_sign, p_sign * p_total, p_sign * p_due, case when p_due > 0 then p_sign else 0 end)
  on conflict (sales_contact_id, day) do update
    set contracts = t.contracts + excluded.contracts, signed_total = t.signed_total + excluded.signed_total,
        due_total = t.due_total + excluded.due_total, unpaid = t.unpaid + excluded.unpaid;
  if p_due > 0 and p_client is not null then
    insert into report_client_balances as t values (p_client, p_sign, p_sign * p_due)
    on conflict (client_id) do update set contracts = t.contracts + excluded.contracts, due = t.due + excluded.due;
  end if;
end $$;

create or replace function report_contract_change() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
begin
  if tg_op = 'UPDATE' then
    perform report_add((select c.sales_contact_id from clients c where c.id = old.client_id), old.client_id, old.signed_at, old.total_amount, old.amount_due, -1);
  end if;
  perform report_add((select c.sales_contact_id from clients c where c.id = new.client_id), new.client_id, new.signed_at, new.total_amount, new.amount_due, 1);
  return null;
end $$;

-- Clients changing hands move their contracts' totals to the new sales
-- contact: once per statement (users.delete and users.update move all of a
-- collaborator's clients in one), set-based over the transition tables.
-- Client balances are per client and stay.
create or replace function report_clients_moved() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
begin
  with moved as (
    select n.id, d.sales_contact_id, d.sign
    from moved_old o
    join moved_new n on n.id = o.id and n.sales_contact_id is distinct from o.sales_contact_id
    cross join lateral (values (o.sales_contact_id, -1), (n.sales_contact_id, 1)) d (sales_contact_id, sign)
  ),
  signed as (
    insert into report_signed_totals as t
      select m.sales_contact_id, (k.signed_at at time zone 'UTC')::date, sum(m.sign), sum(m.sign * k.total_amount), sum(m.sign * k.amount_due),
             sum(case when k.amount_due > 0 then m.sign else 0 end)
      from moved m join contracts k on k.client_id = m.id
      where k.signed_at is not null
      group by 1, 2
    on conflict (sales_contact_id, day) do update
      set contracts = t.contracts + excluded.contracts, signed_total = t.signed_total + excluded.signed_total,
          due_total = t.due_total + excluded.due_total, unpaid = t.unpaid + excluded.unpaid
  )
  insert into report_pipeline_totals as t
    select m.sales_contact_id, sum(m.sign), sum(m.sign * k.total_amount)
    from moved m join contracts k on k.client_id = m.id
    where k.signed_at is null
    group by 1
  on conflict (sales_contact_id) do update set contracts = t.contracts + excluded.contracts, value = t.value + excluded.value;
  return null;
end $$;

-- Report totals follow a contract out (and back in: a restore is an insert).
create or replace function report_contract_removed() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
begin
  perform report_add((select c.sales_contact_id from clients c where c.id = old.client_id), old.client_id, old.signed_at, old.total_amount, old.amount_due, -1);
  return null;
end $$;

-- Recompute every total from the contracts (migration 009; the bench's
-- generator, which writes with triggers off).
create or replace function report_totals_rebuild() returns void
language sql volatile security definer set search_path = epic, pg_temp
as $$
  delete from report_signed_totals;
  delete from report_pipeline_totals;
  delete from report_client_balances;
  insert into report_signed_totals
    select c.sales_contact_id, (k.signed_at at time zone 'UTC')::date, count(*), sum(k.total_amount), sum(k.amount_due),
           count(*) filter (where k.amount_due > 0)
    from contracts k join clients c on c.id = k.client_id where k.signed_at is not null group by 1, 2;
  insert into report_pipeline_totals
    select c.sales_contact_id, count(*), sum(k.total_amount)
    from contracts k join clients c on c.id = k.client_id where k.signed_at is null group by 1;
  insert into report_client_balances
    select k.client_id, count(*), sum(k.amount_due)
    from contracts k where k.signed_at is not null and k.amount_due > 0 group by 1;
$$;

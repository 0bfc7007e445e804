-- 009: payments, nobody stranded, reports. Runs as epic_owner.
--
-- 1. pay_contract(id, amount): the only way a payment is recorded as one
--    (history action "payment", 007). Runs with the caller's rights, so the
--    grants and row-level policies of 003/006 decide whose contract it may
--    touch (management: any; sales: their own clients'); it refuses an
--    unsigned contract and more than is due in the same UPDATE that takes the
--    row lock, so two payments at once can never overpay.
-- 2. A collaborator holding clients (sales) or events (support) cannot be
--    deleted, nor leave that department, until those records are moved or
--    explicitly unassigned: nobody is stranded silently, whatever path the
--    change comes by.
-- 3. Reports read totals kept by triggers (signed amounts per sales contact
--    and UTC day, unsigned per sales contact, amounts due per client), so a
--    report costs the same at a million contracts as at a hundred. The views
--    the departments read carry the scope themselves (management: all;
--    sales: their own clients; support: no grant): it is the database's rule,
--    not a WHERE the shell sends.

-- 1. Payments --------------------------------------------------------------

create function pay_contract(p_contract integer, p_amount numeric) returns numeric
language plpgsql volatile security invoker set search_path = epic, pg_temp
as $$
declare
  v_due    numeric;
  v_signed timestamptz;
  v_paid   boolean;
begin
  if p_amount is null or p_amount <= 0 or p_amount <> round(p_amount, 2) then
    raise exception 'a payment must be above 0 with at most 2 decimals' using errcode = 'check_violation', constraint = 'contracts_payment_amount';
  end if;
  perform set_config('epic.change_action', 'payment', true);
  update contracts k set amount_due = k.amount_due - p_amount, updated_at = now()
  where k.id = p_contract and k.signed_at is not null and k.amount_due >= p_amount
  returning k.amount_due into v_due;
  v_paid := found; -- before PERFORM, which sets FOUND itself
  perform set_config('epic.change_action', '', true);
  if v_paid then
    return v_due;
  end if;
  -- Nothing paid: say why (the row as the caller may read it).
  select k.amount_due, k.signed_at into v_due, v_signed from contracts k where k.id = p_contract;
  if not found then
    raise exception 'no contract %', p_contract using errcode = 'no_data_found';
  elsif v_signed is null then
    raise exception 'contract % is not signed', p_contract using errcode = 'check_violation', constraint = 'contracts_payment_signed_only';
  elsif v_due < p_amount then
    raise exception 'contract % has % due', p_contract, v_due using errcode = 'check_violation', constraint = 'contracts_payment_within_due';
  end if;
  raise exception 'your department may not record payments on contract %', p_contract using errcode = 'insufficient_privilege';
end $$;
revoke all on function pay_contract(integer, numeric) from public;
grant execute on function pay_contract(integer, numeric) to epic_management, epic_sales;

-- 2. Nobody stranded ---------------------------------------------------------

create function users_release_first() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
declare
  v_old_department text := (select d.name from departments d where d.id = old.department_id);
  v_new_department text;
begin
  if tg_op = 'UPDATE' then
    v_new_department := (select d.name from departments d where d.id = new.department_id);
    if v_new_department = v_old_department then
      return new;
    end if;
  end if;
  if v_old_department = 'sales' and exists (select from clients c where c.sales_contact_id = old.id) then
    raise exception 'collaborator % still has clients: reassign or unassign them first', old.id
      using errcode = 'check_violation', constraint = 'users_clients_released';
  end if;
  if v_old_department = 'support' and exists (select from events e where e.support_contact_id = old.id) then
    raise exception 'collaborator % still has events: reassign or unassign them first', old.id
      using errcode = 'check_violation', constraint = 'users_events_released';
  end if;
  return case tg_op when 'DELETE' then old else new end;
end $$;
revoke all on function users_release_first() from public;
create trigger users_release_first before update of department_id or delete on users
  for each row execute function users_release_first();

-- 3. Report totals -------------------------------------------------------------

-- Signed contracts per sales contact (of the client, now) and UTC day of signature.
create table report_signed_totals (
  sales_contact_id integer,
  day              date not null,
  contracts        integer not null,
  signed_total     numeric(16, 2) not null,
  due_total        numeric(16, 2) not null,
  -- Contracts among them with an amount due.
  unpaid           integer not null,
  constraint report_signed_totals_key unique nulls not distinct (sales_contact_id, day)
);
-- Unsigned contracts per sales contact.
create table report_pipeline_totals (
  sales_contact_id integer,
  contracts        integer not null,
  value            numeric(16, 2) not null,
  constraint report_pipeline_totals_key unique nulls not distinct (sales_contact_id)
);
-- What each client owes on signed contracts.
create table report_client_balances (
  client_id integer primary key,
  contracts integer not null,
  due       numeric(16, 2) not null
);
create index report_client_balances_due_idx on report_client_balances (due desc, client_id) where due > 0;
-- The raw contracts of the few days a report's bounds or months cut through.
create index contracts_signed_at_idx on contracts (signed_at) where signed_at is not null;

create function report_add(p_sales integer, p_client integer, p_signed_at timestamptz, p_total numeric, p_due numeric, p_sign integer) returns void
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

create function report_contract_change() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
begin
  if tg_op = 'UPDATE' then
    perform report_add((select c.sales_contact_id from clients c where c.id = old.client_id), old.client_id, old.signed_at, old.total_amount, old.amount_due, -1);
  end if;
  perform report_add((select c.sales_contact_id from clients c where c.id = new.client_id), new.client_id, new.signed_at, new.total_amount, new.amount_due, 1);
  return null;
end $$;
create trigger contracts_report after insert on contracts for each row execute function report_contract_change();
create trigger contracts_report_update after update of client_id, total_amount, amount_due, signed_at on contracts for each row
  when (old.client_id is distinct from new.client_id or old.total_amount is distinct from new.total_amount
        or old.amount_due is distinct from new.amount_due or old.signed_at is distinct from new.signed_at)
  execute function report_contract_change();

-- Clients changing hands move their contracts' totals to the new sales
-- contact: once per statement (users.delete and users.update move all of a
-- collaborator's clients in one), set-based over the transition tables.
-- Client balances are per client and stay.
create function report_clients_moved() returns trigger
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
create trigger clients_report after update on clients
  referencing old table as moved_old new table as moved_new
  for each statement execute function report_clients_moved();

-- Recompute every total from the contracts (this migration; the bench's
-- generator, which writes with triggers off).
create function report_totals_rebuild() returns void
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
revoke all on function report_add(integer, integer, timestamptz, numeric, numeric, integer), report_contract_change(),
  report_clients_moved(), report_totals_rebuild() from public;
select report_totals_rebuild();

-- What a department may report on: management everything, sales the
-- contracts of their own clients (the client's sales contact now), support
-- nothing (no grant). Read as the owner once the session is verified, like
-- client_search (006); the scope is in the view, not in the caller's SQL.
create view report_signed as
  select t.sales_contact_id, t.day, t.contracts, t.signed_total, t.due_total, t.unpaid
  from report_signed_totals t
  where (select session_acts_as(current_user::text))
    and (current_user = 'epic_management' or t.sales_contact_id = (select current_collaborator_id()));

create view report_pipeline as
  select t.sales_contact_id, t.contracts, t.value
  from report_pipeline_totals t
  where (select session_acts_as(current_user::text))
    and (current_user = 'epic_management' or t.sales_contact_id = (select current_collaborator_id()));

create view report_balances as
  select b.client_id, c.sales_contact_id, b.contracts, b.due
  from report_client_balances b join clients c on c.id = b.client_id
  where b.due > 0
    and (select session_acts_as(current_user::text))
    and (current_user = 'epic_management' or c.sales_contact_id = (select current_collaborator_id()));

-- Contracts one by one (the days a report's bounds cut through; revenue by
-- client). The client is read only for sales' scope.
create view report_contracts as
  select k.id, k.client_id, k.total_amount, k.amount_due, k.signed_at
  from contracts k
  where (select session_acts_as(current_user::text))
    and (current_user = 'epic_management'
         or exists (select from clients c where c.id = k.client_id and c.sales_contact_id = (select current_collaborator_id())));

grant select on report_signed, report_pipeline, report_balances, report_contracts to epic_management, epic_sales;

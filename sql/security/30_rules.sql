-- The security model, 3: the rules of the records that no grant or policy can
-- say: timestamps never back-dated, versions counted, contracts signed only
-- now and only through sign_contract(), payments only through pay_contract(),
-- the last manager kept, nobody deleted while holding clients or events, the
-- phone's E.164 reading. Trigger functions (bump_version, users_guard…) and the
-- two write functions the departments call: pay_contract with the caller's own
-- rights (the policies decide whose contract), sign_contract as the owner (it
-- checks the session's department itself: no role may write signed_at).

-- For the department roles: created_at is now at insert and never changes;
-- updated_at is now or left as it was (a statement may stamp it, never back-date it).
-- The owner (setup, demo data, migrations) writes what it means.
create or replace function keep_timestamps() returns trigger
language plpgsql set search_path = epic, pg_temp
as $$
begin
  if current_user::text not in ('epic_management', 'epic_sales', 'epic_support') then
    return new;
  end if;
  if tg_op = 'INSERT' then
    new.created_at := now();
    new.updated_at := now();
  else
    new.created_at := old.created_at;
    if new.updated_at is distinct from old.updated_at then
      new.updated_at := now();
    end if;
  end if;
  return new;
end $$;

-- version counts every update of a contract or event (no role may write it).
create or replace function bump_version() returns trigger
language plpgsql as $$
begin
  new.version := old.version + 1;
  return new;
end $$;

-- A contract created signed by a collaborator is signed now.
create or replace function contracts_signed_now() returns trigger
language plpgsql as $$
begin
  if new.signed_at is not null and current_user::text <> 'epic_owner' then
    new.signed_at := now();
  end if;
  return new;
end $$;

-- Nobody deletes themselves; the last management collaborator can neither be
-- deleted nor leave management.
create or replace function users_guard() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
declare
  v_management smallint;
begin
  -- Serialises changes that could leave management empty.
  select d.id into v_management from departments d where d.name = 'management' for update;
  if tg_op = 'DELETE' and old.id = current_collaborator_id() then
    raise exception 'nobody may delete themselves' using errcode = '42501';
  end if;
  if old.department_id = v_management and (tg_op = 'DELETE' or new.department_id <> v_management)
     and not exists (select from users u where u.department_id = v_management and u.id <> old.id) then
    raise exception 'the last management collaborator cannot be deleted or leave management' using errcode = '42501';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end $$;

-- Nobody stranded: a collaborator leaving sales or support (or deleted) must
-- first hand over their clients or events.
create or replace function users_release_first() returns trigger
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

-- A signed contract with payments recorded on it (only management deletes it).
create or replace function contract_has_payments(p_signed_at timestamptz, p_total numeric, p_due numeric) returns boolean
language sql immutable parallel safe
as $$ select p_signed_at is not null and p_due < p_total $$;

-- Whether the statement being logged was run by pay_contract() called by the
-- client: the outermost frame of the call stack is pay_contract's. A session
-- can write any setting, but cannot make its own statement run inside that
-- function (it creates no functions; a DO block's frame is inline_code_block).
create or replace function made_by_pay_contract() returns boolean
language plpgsql stable set search_path = epic, pg_temp
as $$
declare
  v_stack text;
begin
  get diagnostics v_stack = pg_context;
  return (regexp_split_to_array(v_stack, E'\n'))[array_upper(regexp_split_to_array(v_stack, E'\n'), 1)]
         ~ '^PL/pgSQL function (epic\.)?pay_contract\(integer,numeric\) line [0-9]+ at SQL statement$';
end $$;

-- contracts.pay(id, amount): the only way a payment is recorded. The caller's
-- rights (the policies decide whose contract); signed contracts only, never
-- above the amount due, checked in the UPDATE that takes the row lock. Returns
-- the contract as the payment left it.
create or replace function pay_contract(p_contract integer, p_amount numeric) returns contracts
language plpgsql volatile security invoker set search_path = epic, pg_temp
as $$
declare
  v_row    contracts;
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
  returning k.* into v_row;
  v_paid := found; -- before PERFORM, which sets FOUND itself
  perform set_config('epic.change_action', '', true);
  if v_paid then
    return v_row;
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

-- contracts.sign(id): signed now, never unsigned or back-dated (signed_at is no
-- role's to write). Management signs any contract, sales their own clients';
-- returns the contract when this call signed it, no row otherwise.
create or replace function sign_contract(p_id integer) returns setof contracts
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
declare
  v record;
begin
  select * into v from session_identity();
  if v.department is null then
    raise exception 'no valid session' using errcode = 'EP001';
  end if;
  if v.department = 'management' then
    return query
      update contracts k set signed_at = now(), updated_at = now() where k.id = p_id and k.signed_at is null
      returning k.*;
  elsif v.department = 'sales' then
    return query
      update contracts k set signed_at = now(), updated_at = now()
      from clients c
      where k.id = p_id and k.signed_at is null and c.id = k.client_id and c.sales_contact_id = v.user_id
      returning k.*;
  else
    raise exception 'support may not sign contracts' using errcode = '42501';
  end if;
end $$;

-- A number's E.164 as well as SQL can read it: international forms (`+…`,
-- `00…`) exactly, national ones as French numbers (`0` and nine digits, FR
-- being the default region), else null. The program reads every number it
-- writes with libphonenumber-js and gives its reading; this fills in for a
-- phone written another way (raw SQL, the undo of a phone change, the
-- clients already there).
create or replace function phone_e164_guess(p_phone text) returns text
language sql immutable parallel safe
as $$
  select case
    when d is null then null
    when p_phone ~ '^\s*\+' and length(d) between 2 and 15 then '+' || d
    when p_phone ~ '^\s*00' and length(d) between 4 and 17 then '+' || substr(d, 3)
    when d ~ '^0[1-9][0-9]{8}$' then '+33' || substr(d, 2)
  end
  from (select nullif(regexp_replace(p_phone, '[^0-9]', '', 'g'), '') as d) x
$$;

-- A client's phone_e164 is phone_e164_guess(phone) unless the statement gives
-- its own reading of a new phone (the program's, libphonenumber-js).
create or replace function clients_phone_e164() returns trigger
language plpgsql
as $$
begin
  if new.phone is null then
    new.phone_e164 := null;
  elsif tg_op = 'INSERT' and new.phone_e164 is null
     or tg_op = 'UPDATE' and new.phone is distinct from old.phone and new.phone_e164 is not distinct from old.phone_e164 then
    new.phone_e164 := phone_e164_guess(new.phone);
  end if;
  return new;
end $$;

-- 050: pay_contract() returns the contract as the payment left it (the row
-- its UPDATE wrote, triggers applied) instead of the amount due alone, so the
-- shell shows it without reading it again (sql/contracts.sql payContract).
-- Same name, arguments, checks, errors and grants as 009 defined: only the
-- return type changes, which CREATE OR REPLACE cannot do. The change log's
-- "payment" label (013, made_by_pay_contract) reads the function's signature,
-- pay_contract(integer,numeric), which stays.

drop function pay_contract(integer, numeric);

create function pay_contract(p_contract integer, p_amount numeric) returns contracts
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
revoke all on function pay_contract(integer, numeric) from public;
grant execute on function pay_contract(integer, numeric) to epic_management, epic_sales;

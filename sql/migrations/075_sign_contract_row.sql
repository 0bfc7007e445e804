-- 075: sign_contract() returns the contract as its signature left it (the row
-- its UPDATE wrote, triggers applied) instead of true/false, so the shell
-- shows it without reading it again (sql/contracts.sql signContract), as
-- pay_contract() does since 050. One row when this call signed the contract,
-- none when it was already signed (or not the caller's to sign: sales, their
-- own clients' contracts). Same name, argument, checks, errors and grants as
-- 006 defined: only the return type changes, which CREATE OR REPLACE cannot do.

drop function sign_contract(integer);

create function sign_contract(p_id integer) returns setof contracts
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
revoke all on function sign_contract(integer) from public;
grant execute on function sign_contract(integer) to epic_management, epic_sales;

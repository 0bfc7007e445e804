-- 023: phone numbers matched in any form (issue 31). Runs as epic_owner.
--
-- A client's phone stays as typed; beside it the program keeps the number in
-- E.164 (`+33601020304`), read with libphonenumber-js in the default region
-- (lib/crm/phone.ts), so that find() matches `06 01 02 03 04` and
-- `+33 6 01 02 03 04` alike. NULL when the number cannot be read as one.
alter table clients add column phone_e164 text
  check (phone_e164 is null or phone_e164 ~ '^\+[0-9]{2,15}$');
create index clients_phone_e164_idx on clients (phone_e164);

grant insert (phone_e164), update (phone_e164) on clients to epic_sales;
grant insert (phone_e164) on clients to epic_management;

-- The history shows the phone as typed; its E.164 reading is not a change of its own.
create or replace function changed_fields(p_old jsonb, p_new jsonb) returns jsonb
language sql immutable parallel safe
as $$
  select coalesce(jsonb_object_agg(api_field(n.key), jsonb_build_array(p_old -> n.key, n.value)), '{}'::jsonb)
  from jsonb_each(p_new) n
  where n.key not in ('updated_at', 'version', 'password_hash', 'token_version', 'phone_e164')
    and (p_old -> n.key) is distinct from n.value
$$;

-- A number's E.164 as well as SQL can read it: international forms (`+…`,
-- `00…`) exactly, national ones as French numbers (`0` and nine digits, FR
-- being the default region), else null. The program reads every number it
-- writes with libphonenumber-js and gives its reading; this fills in for a
-- phone written another way (raw SQL, the undo of a phone change, the
-- clients already there).
create function phone_e164_guess(p_phone text) returns text
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
revoke all on function phone_e164_guess(text) from public;

create function clients_phone_e164() returns trigger
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
revoke all on function clients_phone_e164() from public;
grant execute on function phone_e164_guess(text), clients_phone_e164() to epic_management, epic_sales, epic_support;

-- The backfill is not a change anyone made: the row triggers (history,
-- tallies) are off while it runs, and updated_at (the last contact) is left alone.
alter table clients disable trigger user;
update clients set phone_e164 = phone_e164_guess(phone) where phone is not null;
alter table clients enable trigger user;

create trigger clients_phone_e164 before insert or update of phone, phone_e164 on clients
  for each row execute function clients_phone_e164();

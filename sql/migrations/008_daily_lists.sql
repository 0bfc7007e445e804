-- 008: daily lists (issue 15): search everywhere and sorted lists. Runs as epic_owner.
--
-- Search (find(text), the `search` filter of every list) matches each word of
-- the text anywhere in a record's search document: its searched fields joined,
-- lower case, accents removed, phone numbers as digits ('0612' finds
-- '06 12 34 56 78'). One trigram GIN index per table on that document makes a
-- word a BitmapAnd of index scans, whatever the order of the words
-- (collaborators are few: users.list searches their document unindexed).

-- unaccent is a trusted extension (PostgreSQL 13+): the database owner may
-- create it, as pg_trgm in 001. Both ship with the embedded server and
-- Debian's postgresql-15.
create extension if not exists unaccent schema epic;

-- unaccent() is STABLE (its dictionary could change); naming the dictionary
-- and its function explicitly makes this one fixed mapping, IMMUTABLE as an
-- index expression needs.
create function search_text(p_text text) returns text
language sql immutable parallel safe strict
as $$ select lower(epic.unaccent('epic.unaccent'::regdictionary, p_text)) $$;

-- The phone number as its digits.
create function search_digits(p_phone text) returns text
language sql immutable parallel safe
as $$ select coalesce(regexp_replace(p_phone, '[^0-9]', '', 'g'), '') $$;

create function client_search_doc(p_full_name text, p_email text, p_phone text, p_company_name text) returns text
language sql immutable parallel safe
as $$ select epic.search_text(concat_ws(' ', p_full_name, p_email, p_company_name, p_phone, epic.search_digits(p_phone))) $$;

create function event_search_doc(p_name text, p_location text, p_notes text) returns text
language sql immutable parallel safe
as $$ select epic.search_text(concat_ws(' ', p_name, p_location, p_notes)) $$;

create function user_search_doc(p_full_name text, p_email text, p_employee_number text, p_phone text) returns text
language sql immutable parallel safe
as $$ select epic.search_text(concat_ws(' ', p_full_name, p_email, p_employee_number, p_phone, epic.search_digits(p_phone))) $$;

create index clients_search_idx on clients using gin (client_search_doc(full_name, email, phone, company_name) gin_trgm_ops);
create index events_search_idx on events using gin (event_search_doc(name, location, notes) gin_trgm_ops);

-- Functions are executable by PUBLIC unless revoked: these only by the departments.
revoke all on function search_text(text), search_digits(text), client_search_doc(text, text, text, text),
  event_search_doc(text, text, text), user_search_doc(text, text, text, text) from public;
grant execute on function search_text(text), search_digits(text), client_search_doc(text, text, text, text),
  event_search_doc(text, text, text), user_search_doc(text, text, text, text) to epic_management, epic_sales, epic_support;

-- As client_search (006): LIKE on the document is not leakproof, so under
-- the row policies PostgreSQL may not use the index for it. These views read
-- as their owner once the session is verified (everyone may read every
-- client and event); the records are then read under the
-- policies as usual (sql/search.sql, the lists' search queries).
create view client_find as
  select c.id, client_search_doc(c.full_name, c.email, c.phone, c.company_name) as doc
  from clients c
  where (select session_acts_as(current_user::text));
create view event_find as
  select e.id, event_search_doc(e.name, e.location, e.notes) as doc
  from events e
  where (select session_acts_as(current_user::text));
grant select on client_find, event_find to epic_management, epic_sales, epic_support;

-- Contracts page through this view (sql/contracts.sql listContracts): the
-- keyset on an amount compares numerics, which is not leakproof, so under the
-- row policies it could only filter, never start an index scan. Everyone may
-- read every contract once the session is verified; the page's records are
-- then read under the policies.
create view contract_order as
  select k.id, k.client_id, k.total_amount, k.amount_due, k.created_at, k.signed_at
  from contracts k
  where (select session_acts_as(current_user::text));
grant select on contract_order to epic_management, epic_sales, epic_support;

-- Sorted lists page on (sort key, id): one index per sort key, so a deep page
-- starts where the last one ended (lib/crm/sort.ts lists the keys).
create index clients_full_name_idx on clients (full_name, id);
create index clients_created_idx on clients (created_at, id);
create index clients_updated_idx on clients (updated_at, id);
create index contracts_created_idx on contracts (created_at, id);
create index contracts_total_idx on contracts (total_amount, id);
create index contracts_due_idx on contracts (amount_due, id);
create index events_end_idx on events (end_at, id);
create index events_name_idx on events (name, id);

-- contracts.count(): counting a million rows is never 20 ms, so PostgreSQL
-- keeps the tallies contracts.count() reads, per (client's sales contact, signed,
-- unpaid), written by the triggers below on every path a contract or a
-- client's sales contact changes by (the shell, a script, raw SQL,
-- reassignment on users.delete). 0 stands for "no sales contact".
create table contract_tallies (
  sales_contact_id integer not null,
  signed           boolean not null,
  unpaid           boolean not null,
  contracts        bigint not null,
  primary key (sales_contact_id, signed, unpaid)
);
alter table contract_tallies enable row level security;
alter table contract_tallies force row level security;
create policy contract_tallies_owner on contract_tallies to epic_owner using (true) with check (true);
create policy contract_tallies_read on contract_tallies for select to epic_management, epic_sales, epic_support
  using ((select session_acts_as(current_user::text)));
grant select on contract_tallies to epic_management, epic_sales, epic_support;

create function tally_contracts(p_sales integer, p_signed boolean, p_unpaid boolean, p_delta bigint) returns void
language sql volatile security definer set search_path = epic, pg_temp
as $$
  insert into contract_tallies as t (sales_contact_id, signed, unpaid, contracts)
  values (coalesce(p_sales, 0), p_signed, p_unpaid, p_delta)
  on conflict (sales_contact_id, signed, unpaid) do update set contracts = t.contracts + excluded.contracts
$$;

create function contracts_tally() returns trigger
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
create function clients_tally() returns trigger
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

-- Recount from the contracts (after a bulk load that skipped the triggers: bench/generate.ts).
create function rebuild_contract_tallies() returns void
language sql volatile security definer set search_path = epic, pg_temp
as $$
  delete from contract_tallies;
  insert into contract_tallies (sales_contact_id, signed, unpaid, contracts)
  select coalesce(c.sales_contact_id, 0), k.signed_at is not null, k.amount_due > 0, count(*)
  from contracts k join clients c on c.id = k.client_id
  group by 1, 2, 3;
$$;

create function contracts_tally_truncate() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$ begin delete from contract_tallies; return null; end $$;

revoke all on function tally_contracts(integer, boolean, boolean, bigint), contracts_tally(), clients_tally(),
  rebuild_contract_tallies(), contracts_tally_truncate() from public;

create trigger contracts_tally after insert or update of client_id, signed_at, amount_due or delete on contracts
  for each row execute function contracts_tally();
create trigger contracts_tally_truncate after truncate on contracts
  for each statement execute function contracts_tally_truncate();
create trigger clients_tally after update of sales_contact_id on clients
  for each row execute function clients_tally();

-- Already there (a database migrated with contracts in it).
select rebuild_contract_tallies();

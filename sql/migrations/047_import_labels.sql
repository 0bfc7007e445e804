-- 047: an import's history label and note come from the import itself (issue
-- 27). Runs as epic_owner.
--
-- Until now the clients an import created were "imported" with the note
-- "imported from FILE" because the importing transaction said so in two
-- settings (epic.change_action, epic.change_note) that any session may
-- write: a collaborator could label clients they inserted by hand as
-- imported, with any note. Now the import's inserts go through
-- import_clients(), which inserts as the caller (SECURITY INVOKER: the grants
-- and row policies decide, as for the INSERT the shell sent before), and the
-- entries are written by import_logged(), which labels only the rows that
-- very call inserted: it is refused unless import_clients() is the outermost
-- function of the call stack (a session creates no functions; a DO block's
-- frame is inline_code_block), as made_by_pay_contract() does for payments
-- (013). No setting is read for a label or a note any more.
--
-- The import is numbered (client_imports, 027) by its first write:
-- begin_import() gives the transaction's number, made once.

-- Whether the outermost function of the call stack is import_clients().
create function made_by_import() returns boolean
language plpgsql stable set search_path = epic, pg_temp
as $$
declare
  v_frames text[];
  v_stack  text;
begin
  get diagnostics v_stack = pg_context;
  v_frames := regexp_split_to_array(v_stack, E'\n');
  return v_frames[array_upper(v_frames, 1)]
         ~ '^PL/pgSQL function (epic\.)?import_clients\(text,text\[\],text\[\],text\[\],text\[\],integer\[\],text\[\],boolean\) line [0-9]+ at (SQL statement|PERFORM)$';
end $$;
revoke all on function made_by_import() from public;

-- The transaction's import number, made by its first call (the import's first
-- write, or its end when it only updated clients). The settings 027 wrote are gone.
create or replace function begin_import(p_file text) returns bigint
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
declare
  v_id bigint;
begin
  if coalesce(session_department(), '') not in ('management', 'sales') then
    raise exception 'only sales and management import clients' using errcode = 'EP320';
  end if;
  select i.id into v_id from client_imports i where i.xact = pg_current_xact_id() order by i.id limit 1;
  if v_id is null then
    insert into client_imports (actor_id, file) values (current_collaborator_id(), left(p_file, 500)) returning id into v_id;
  end if;
  return v_id;
end $$;

-- The history of the clients import_clients() just inserted: "imported", the
-- note naming the import's file. Only from import_clients() itself (the call
-- stack says so), which passes the ids its own INSERT returned.
create function import_logged(p_file text, p_ids integer[]) returns void
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
declare
  v_actor  integer := current_collaborator_id();
  v_import bigint;
  v_file   text;
begin
  if not made_by_import() then
    raise exception 'only an import labels its clients' using errcode = 'EP320';
  end if;
  if cardinality(p_ids) = 0 then
    return;
  end if;
  v_import := begin_import(p_file);
  select i.file into v_file from client_imports i where i.id = v_import;
  -- p_ids are what import_clients' INSERT returned (only it gets here): no lookup per row.
  insert into change_log (actor_id, actor_name, object, record_id, action, changes, note)
  select v_actor, coalesce((select u.full_name from users u where u.id = v_actor), 'system'), 'client', n.id, 'imported', null,
         left('imported from ' || v_file, 500)
  from unnest(p_ids) as n(id)
  order by n.id;
end $$;
revoke all on function import_logged(text, integer[]) from public;
grant execute on function import_logged(text, integer[]) to epic_management, epic_sales;

-- One batch of an import, the arrays its columns (row i of each the i-th
-- client); p_skip: a client whose email is taken is left (ON CONFLICT, the
-- database deciding on the email's unique index). How many rows were written.
create function import_clients(p_file text, p_full_names text[], p_emails text[], p_phones text[], p_company_names text[],
                               p_sales_contact_ids integer[], p_phone_e164s text[], p_skip boolean) returns integer
language plpgsql volatile security invoker set search_path = epic, pg_temp
as $$
declare
  v_ids integer[];
begin
  if p_skip then
    with added as (
      insert into clients (full_name, email, phone, company_name, sales_contact_id, phone_e164)
      select * from unnest(p_full_names, p_emails, p_phones, p_company_names, p_sales_contact_ids, p_phone_e164s)
      on conflict ((lower(email))) do nothing
      returning id
    )
    select array_agg(id order by id) into v_ids from added;
  else
    with added as (
      insert into clients (full_name, email, phone, company_name, sales_contact_id, phone_e164)
      select * from unnest(p_full_names, p_emails, p_phones, p_company_names, p_sales_contact_ids, p_phone_e164s)
      returning id
    )
    select array_agg(id order by id) into v_ids from added;
  end if;
  perform import_logged(p_file, coalesce(v_ids, '{}'));
  return coalesce(cardinality(v_ids), 0);
end $$;
revoke all on function import_clients(text, text[], text[], text[], text[], integer[], text[], boolean) from public;
grant execute on function import_clients(text, text[], text[], text[], text[], integer[], text[], boolean) to epic_management, epic_sales;

-- New clients, once per statement (011): "restored" for a row coming back
-- from the trash, nothing for import_clients()'s own (import_logged writes
-- them), "created" for anything else, whatever the settings say.
create or replace function log_client_inserts() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
declare
  v_actor integer := current_collaborator_id();
begin
  if made_by_import() then
    return null;
  end if;
  insert into change_log (actor_id, actor_name, object, record_id, action, changes, note)
  select v_actor, coalesce((select u.full_name from users u where u.id = v_actor), 'system'), 'client', n.id,
         case when t.id is not null then 'restored' else 'created' end,
         null,
         case when t.id is not null then undo_note('client', n.id) end
  from inserted n
  left join trash t on t.object = 'client' and t.record_id = n.id
  order by n.id;
  return null;
end $$;

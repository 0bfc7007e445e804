-- The security model, 4: the history (change_log) and what writes it. Only
-- these functions write it, as the owner, from what the work itself did: the
-- actor is the verified session's collaborator (or "system"), a "payment"
-- comes only from pay_contract() and "imported" only from import_clients(),
-- both read from the call stack, never from a setting a session can write;
-- "undone #N" only when the row holds entry N's old values again. Also the
-- import's functions and the notices on epic_change.

-- snake_case column → the API's camelCase field name.
create or replace function api_field(p_column text) returns text
language sql immutable parallel safe
as $$
  select lower(left(c, 1)) || substr(c, 2)
  from (select replace(initcap(replace(p_column, '_', ' ')), ' ', '') as c) x
$$;

-- The history shows the phone as typed; its E.164 reading is not a change of its own.
create or replace function changed_fields(p_old jsonb, p_new jsonb) returns jsonb
language sql immutable parallel safe
as $$
  select coalesce(jsonb_object_agg(api_field(n.key), jsonb_build_array(p_old -> n.key, n.value)), '{}'::jsonb)
  from jsonb_each(p_new) n
  where n.key not in ('updated_at', 'version', 'password_hash', 'token_version', 'phone_e164')
    and (p_old -> n.key) is distinct from n.value
$$;

-- One history entry, by the verified session's collaborator (or "system"),
-- with the note its caller gives (none is read from a setting).
create or replace function log_change(p_object text, p_record integer, p_action text, p_changes jsonb, p_note text) returns void
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
declare
  v_actor integer := current_collaborator_id();
begin
  insert into change_log (actor_id, actor_name, object, record_id, action, changes, note)
  values (v_actor, coalesce((select u.full_name from users u where u.id = v_actor), 'system'),
          p_object, p_record, p_action, nullif(p_changes, '{}'::jsonb), left(p_note, 500));
end $$;

-- A restore is an insert of a row whose id is in the trash: no insert by a
-- department can choose an id (identity, no column grant), so the history
-- says "restored" for it and "created" for anything else; "payment" only from
-- pay_contract() (made_by_pay_contract), "undone #N" as undo_note says.
create or replace function log_record_change() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
declare
  v_object  text := case tg_table_name when 'clients' then 'client' when 'contracts' then 'contract' when 'events' then 'event' end;
  v_changes jsonb;
  v_action  text;
  v_undone  text;
begin
  if tg_op = 'INSERT' then
    if exists (select from trash t where t.object = v_object and t.record_id = new.id) then
      perform log_change(v_object, new.id, 'restored', null, undo_note(v_object, new.id));
      return null;
    end if;
    perform log_change(v_object, new.id, 'created', null, null);
    return null;
  end if;
  v_changes := changed_fields(to_jsonb(old), to_jsonb(new));
  if v_changes = '{}'::jsonb then
    return null;
  end if;
  -- An undo (027): "undone" when the row now holds entry N's old values for every field that changed.
  v_undone := undo_note(v_object, new.id);
  if v_undone like 'undo of #%' and (select l.changes ?& array(select jsonb_object_keys(v_changes))
                                 and to_jsonb(new) = to_jsonb(jsonb_populate_record(new, (
                                       select jsonb_object_agg(undo_column(l.object, f.key), f.value -> 0) from jsonb_each(l.changes) f)))
                               from change_log l where l.id = substr(v_undone, 10)::bigint) then
    perform log_change(v_object, new.id, 'undone', v_changes, substr(v_undone, 9));
    return null;
  end if;
  v_action := case
    when v_object = 'contract' and v_changes ? 'signedAt' and v_changes #> '{signedAt,0}' = 'null'::jsonb then 'signed'
    when v_object = 'contract' and v_changes ? 'amountDue' and not v_changes ? 'totalAmount'
         and made_by_pay_contract() then 'payment'
    when v_changes - 'salesContactId' - 'supportContactId' = '{}'::jsonb then 'assigned'
    else 'updated'
  end;
  perform log_change(v_object, new.id, v_action, v_changes, null);
  return null;
end $$;

-- A collaborator's change in the history, "undone #N" as log_record_change labels
-- a record's: only when the row now holds entry N's old values for every field that changed.
create or replace function log_user_change() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
declare
  v_changes jsonb;
  v_undone  text;
begin
  if tg_op = 'INSERT' then
    perform log_change('user', new.id, 'created', null, new.full_name);
  elsif tg_op = 'DELETE' then
    perform log_change('user', old.id, 'deleted', null, old.full_name || ' <' || old.email || '>');
  else
    if new.password_hash is distinct from old.password_hash then
      perform log_change('user', new.id, 'password changed', null, null);
    end if;
    v_changes := changed_fields(to_jsonb(old), to_jsonb(new));
    if v_changes <> '{}'::jsonb then
      v_undone := undo_note('user', new.id);
      if v_undone like 'undo of #%' and (select l.changes ?& array(select jsonb_object_keys(v_changes))
                                     and to_jsonb(new) = to_jsonb(jsonb_populate_record(new, (
                                           select jsonb_object_agg(undo_column(l.object, f.key), f.value -> 0) from jsonb_each(l.changes) f)))
                                   from change_log l where l.id = substr(v_undone, 10)::bigint) then
        perform log_change('user', new.id, 'undone', v_changes, substr(v_undone, 9));
      else
        perform log_change('user', new.id, 'updated', v_changes, null);
      end if;
    end if;
  end if;
  return null;
end $$;

-- New clients, once per statement (an import's thousand rows in one insert): "restored" for a row coming back
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

-- A follow-up coming back with its client (trash_put_back, while the client's
-- trash entry is still there) is no new follow-up: no history entry.
create or replace function log_follow_up() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
begin
  if tg_op = 'INSERT' then
    if exists (select from trash t where t.object = 'client' and t.record_id = new.client_id) then
      return null;
    end if;
    perform log_change('client', new.client_id, 'follow-up',
                       jsonb_build_object('followUpDueAt', jsonb_build_array(null, new.due_at)), 'follow-up ' || new.id);
  elsif old.done_at is null and new.done_at is not null then
    perform log_change('client', new.client_id, 'follow-up done', null, 'follow-up ' || new.id);
  end if;
  return null;
end $$;

-- Which client a follow-up is about, whoever may read it: a refusal names
-- the client (as every ownership refusal does), a missing id says NotFound.
-- Clients are everyone's to read; the note stays hidden.
create or replace function follow_up_client(p_id integer) returns integer
language sql stable security definer set search_path = epic, pg_temp
as $$ select f.client_id from follow_ups f where f.id = p_id $$;

-- Notices at the prompt (lib/shell/notices.ts): each statement that adds history entries announces them on the channel
-- epic_change when its transaction commits: the payload is the range of
-- their ids (`12-15`), naming no one and nothing. Anyone holding the runtime
-- role may LISTEN; what a shell then reads of those entries it reads under its
-- own verified session, so the row policies decide what it learns. One
-- notification per statement, so an import of a thousand clients is one.
create or replace function notify_changes() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
declare
  v_range text;
begin
  select min(n.id) || '-' || max(n.id) into v_range from added n;
  if v_range is not null then
    perform pg_notify('epic_change', v_range);
  end if;
  return null;
end $$;

-- An import's history label and note come from the import itself, never from
-- a setting a session may write (no collaborator labels clients they inserted
-- by hand as imported, with any note). The import's inserts go through
-- import_clients(), which inserts as the caller (SECURITY INVOKER: the grants
-- and row policies decide, as for the INSERT the shell sent before), and the
-- entries are written by import_logged(), which labels only the rows that
-- very call inserted: it is refused unless import_clients() is the outermost
-- function of the call stack (a session creates no functions; a DO block's
-- frame is inline_code_block), as made_by_pay_contract() does for payments.
-- No setting is read for a label or a note.
--
-- The import is numbered (client_imports) by its first write:
-- begin_import() gives the transaction's number, made once.

-- Whether the outermost function of the call stack is import_clients().
create or replace function made_by_import() returns boolean
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

-- The transaction's import number, made by its first call (the import's first
-- write, or its end when it only updated clients).
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
create or replace function import_logged(p_file text, p_ids integer[]) returns void
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

-- One batch of an import, the arrays its columns (row i of each the i-th
-- client); p_skip: a client whose email is taken is left (ON CONFLICT, the
-- database deciding on the email's unique index). How many rows were written.
create or replace function import_clients(p_file text, p_full_names text[], p_emails text[], p_phones text[], p_company_names text[],
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

-- The security model, 6: the trash, undo and erasure. A DELETE of a client,
-- contract or event moves it to the trash (trash_record, allowed by the
-- DELETE policies in 80_policies.sql); restoring, emptying, undoing and
-- erasing are these functions, each checking the verified session: restore
-- and undo write with the caller's own rights where they can (the policies
-- decide), trash_may_restore reads the DELETE rules on the row as it was.

-- An undo says which history entry it undoes in epic.undo_of; the
-- entries it causes carry "#N" only when entry N is about the same record,
-- so a value set by hand labels nothing it did not undo.
create or replace function undo_note(p_object text, p_record integer) returns text
language plpgsql stable security definer set search_path = epic, pg_temp
as $$
declare
  v_of text := current_setting('epic.undo_of', true);
begin
  if v_of ~ '^[0-9]{1,18}$' then
    return (select 'undo of #' || l.id from change_log l where l.id = v_of::bigint and l.object = p_object and l.record_id = p_record);
  elsif v_of ~ '^import [0-9]{1,18}$' and p_object = 'client' then
    return (select 'undo of import #' || i.id from client_imports i
            where i.id = split_part(v_of, ' ', 2)::bigint
              and exists (select from change_log l where l.at = i.at and l.xact = i.xact and l.object = 'client' and l.record_id = p_record));
  end if;
  return null;
end $$;

create or replace function trash_record() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
declare
  v_object  text := case tg_table_name when 'clients' then 'client' when 'contracts' then 'contract' else 'event' end;
  v_actor   integer := current_collaborator_id();
  v_parent  bigint;
  v_sales   integer;
  v_support integer;
  v_entry   bigint;
  v_paid    integer;
  v_with    text;
  v_follow  jsonb;
begin
  if v_object = 'client' then
    v_sales := old.sales_contact_id;
    -- A client takes its contracts along: one with payments only when management deletes it.
    if coalesce(session_department(), 'management') <> 'management' then
      select k.id into v_paid from contracts k
      where k.client_id = old.id and contract_has_payments(k.signed_at, k.total_amount, k.amount_due) limit 1;
      if v_paid is not null then
        raise exception 'client % has a signed contract with payments (contract %): only management may delete it', old.id, v_paid
          using errcode = 'EP320';
      end if;
    end if;
    -- Its follow-ups (the foreign key then removes them from follow_ups).
    v_follow := (select jsonb_agg(to_jsonb(f) order by f.id) from follow_ups f where f.client_id = old.id);
  elsif v_object = 'contract' then
    select t.id into v_parent from trash t where t.object = 'client' and t.record_id = old.client_id;
    v_sales := (select c.sales_contact_id from clients c where c.id = old.client_id);
    v_with := 'with client #' || old.client_id;
  else
    select t.id into v_parent from trash t where t.object = 'contract' and t.record_id = old.contract_id;
    v_sales := (select c.sales_contact_id from contracts k join clients c on c.id = k.client_id where k.id = old.contract_id);
    v_support := old.support_contact_id;
    v_with := 'with contract #' || old.contract_id;
  end if;
  insert into trash (object, record_id, record, went_with, sales_contact_id, support_contact_id, deleted_by, deleted_by_name, follow_ups)
  values (v_object, old.id, to_jsonb(old), v_parent, v_sales, v_support, v_actor,
          coalesce((select u.full_name from users u where u.id = v_actor), 'system'), v_follow)
  returning id into v_entry;
  perform log_change(v_object, old.id, 'deleted', null, coalesce(undo_note(v_object, old.id), case when v_parent is not null then v_with end));
  -- What goes with it, deleted as the owner: the rules were the caller's, for this record.
  if v_object = 'client' then
    delete from contracts k where k.client_id = old.id;
  elsif v_object = 'contract' then
    delete from events e where e.contract_id = old.id;
  end if;
  return old;
end $$;

-- May the caller bring this entry back (or see it go): the rules of the
-- DELETE policies (80_policies.sql), read on the record as it was. For a client, what
-- went with it counts too (a contract with payments: management only).
create or replace function trash_may_restore(p_entry trash) returns boolean
language plpgsql stable security definer set search_path = epic, pg_temp
as $$
declare
  v_department text := session_department();
  v_me         integer := current_collaborator_id();
  v_rec        jsonb := p_entry.record;
begin
  if v_department = 'management' then
    return true;
  elsif v_department = 'sales' and p_entry.object = 'client' then
    return (v_rec ->> 'sales_contact_id')::integer = v_me
      and not exists (select from trash t where t.went_with = p_entry.id
                      and contract_has_payments((t.record ->> 'signed_at')::timestamptz, (t.record ->> 'total_amount')::numeric, (t.record ->> 'amount_due')::numeric));
  elsif v_department = 'sales' and p_entry.object = 'contract' then
    return not contract_has_payments((v_rec ->> 'signed_at')::timestamptz, (v_rec ->> 'total_amount')::numeric, (v_rec ->> 'amount_due')::numeric)
      and exists (select from clients c where c.id = (v_rec ->> 'client_id')::integer and c.sales_contact_id = v_me);
  elsif v_department = 'support' and p_entry.object = 'event' then
    return (v_rec ->> 'support_contact_id')::integer = v_me;
  end if;
  return false;
end $$;

-- One trashed row back in its table, its id kept (a client with its
-- follow-ups). A collaborator who left (or changed department) meanwhile is
-- no longer its contact; a follow-up keeps who set and closed it while they exist.
create or replace function trash_put_back(p_entry trash) returns void
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
declare
  v_rec jsonb := p_entry.record;
begin
  if p_entry.object = 'client' then
    if not collaborator_in((v_rec ->> 'sales_contact_id')::integer, 'sales') then
      v_rec := v_rec || '{"sales_contact_id": null}';
    end if;
    begin
      insert into clients overriding system value select * from jsonb_populate_record(null::clients, v_rec);
    exception when unique_violation then
      raise exception 'client % cannot come back: another client now has the email %', p_entry.record_id, v_rec ->> 'email'
        using errcode = 'EP321';
    end;
    insert into follow_ups overriding system value
    select f.id, f.client_id,
           (select u.id from users u where u.id = f.set_by), f.due_at, f.note, f.created_at, f.done_at,
           (select u.id from users u where u.id = f.done_by)
    from jsonb_populate_recordset(null::follow_ups, coalesce(p_entry.follow_ups, '[]')) f
    order by f.id;
  elsif p_entry.object = 'contract' then
    insert into contracts overriding system value select * from jsonb_populate_record(null::contracts, v_rec);
  else
    if not collaborator_in((v_rec ->> 'support_contact_id')::integer, 'support') then
      v_rec := v_rec || '{"support_contact_id": null}';
    end if;
    begin
      insert into events overriding system value select * from jsonb_populate_record(null::events, v_rec);
    exception when unique_violation then
      raise exception 'event % cannot come back: contract % has another event now', p_entry.record_id, v_rec ->> 'contract_id'
        using errcode = 'EP321';
    end;
  end if;
end $$;

-- clients.restore(id) and the others: the record and what went with it.
-- Returns the record as it came back (its table's row as jsonb, the triggers
-- applied: a contact who left is no longer its contact), which the shell
-- shows without reading it again (sql/clients.sql restoreClient…); undo of a
-- deletion calls it with PERFORM.
create or replace function restore_record(p_object text, p_id integer) returns jsonb
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
declare
  v_entry  trash;
  v_child  trash;
  v_parent text;
begin
  if session_department() is null then
    raise exception 'a restore needs a verified session' using errcode = 'EP320';
  end if;
  select * into v_entry from trash t where t.object = p_object and t.record_id = p_id for update;
  if not found then
    raise exception 'no % % in the trash', p_object, p_id using errcode = 'EP322';
  elsif not trash_may_restore(v_entry) then
    raise exception 'your department may not restore % %', p_object, p_id using errcode = 'EP320';
  end if;
  if v_entry.went_with is not null then
    select t.object || ' ' || t.record_id into v_parent from trash t where t.id = v_entry.went_with;
    raise exception '% % went to the trash with % : restore that', p_object, p_id, v_parent using errcode = 'EP321';
  end if;
  if p_object = 'contract' and not exists (select from clients c where c.id = (v_entry.record ->> 'client_id')::integer) then
    raise exception 'contract % belongs to client %, which is not there: restore the client first', p_id, v_entry.record ->> 'client_id' using errcode = 'EP321';
  elsif p_object = 'event' and not exists (select from contracts k where k.id = (v_entry.record ->> 'contract_id')::integer) then
    raise exception 'event % belongs to contract %, which is not there: restore the contract first', p_id, v_entry.record ->> 'contract_id' using errcode = 'EP321';
  end if;
  perform trash_put_back(v_entry);
  -- What went with it, parents before children (a client's contracts, then their events).
  for v_child in
    with recursive tree as (
      select t.*, 1 as depth from trash t where t.went_with = v_entry.id
      union all
      select t.*, tree.depth + 1 from trash t join tree on t.went_with = tree.id
    )
    select id, object, record_id, record, went_with, sales_contact_id, support_contact_id, deleted_at, deleted_by, deleted_by_name
    from tree order by depth, id
  loop
    perform trash_put_back(v_child);
  end loop;
  -- Out of the trash (what went with it too: on delete cascade).
  delete from trash t where t.id = v_entry.id;
  return case p_object
    when 'client' then (select to_jsonb(c) from clients c where c.id = p_id)
    when 'contract' then (select to_jsonb(k) from contracts k where k.id = p_id)
    else (select to_jsonb(e) from events e where e.id = p_id)
  end;
end $$;

-- trash.empty({olderThan}): management only. Returns how many records went for good.
create or replace function empty_trash(p_older_than interval) returns integer
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
declare
  n integer;
begin
  if session_department() is distinct from 'management' then
    raise exception 'only management empties the trash' using errcode = 'EP320';
  end if;
  if p_older_than is null or p_older_than < interval '0' then
    raise exception 'olderThan must be a duration of 0 or more' using errcode = '22023';
  end if;
  with recursive gone as (
    select t.id, t.object, t.record_id from trash t where t.went_with is null and t.deleted_at <= now() - p_older_than
    union all
    select t.id, t.object, t.record_id from trash t join gone g on t.went_with = g.id
  ), logged as (
    insert into change_log (actor_id, actor_name, object, record_id, action, changes, note)
    select current_collaborator_id(), coalesce((select u.full_name from users u where u.id = current_collaborator_id()), 'system'),
           g.object, g.record_id, 'purged', null, 'trash emptied'
    from gone g order by g.id
    returning 1
  )
  select count(*) into n from logged;
  delete from trash t where t.went_with is null and t.deleted_at <= now() - p_older_than;
  return n;
end $$;

-- The column an undo of object p_object's field p_field writes. undo(N) of a
-- collaborator's "updated" (or "undone") entry writes its old
-- values back (full name, email, phone, department) exactly as for
-- clients, contracts and events: with the caller's own rights (only
-- management may update a collaborator, and only management reads their
-- history), refused naming the fields when any of them changed since, and
-- in the history as "undone" with "#N" only when the row holds entry N's old
-- values again. The rules of a department change still hold (users_guard,
-- users_release_first: the
-- last management collaborator stays in management; someone who still holds
-- clients or events keeps their department), as do the revocations (a new
-- email or department ends the collaborator's sessions).
--
-- A collaborator's creation or deletion is not undone from the history: the
-- trash keeps no collaborator (a deletion ends their sessions and releases
-- their clients and events), and the password never was in the history.
create or replace function undo_column(p_object text, p_field text) returns text
language sql immutable parallel safe
as $$
  select c from (values
    ('client', 'fullName', 'full_name'), ('client', 'email', 'email'), ('client', 'phone', 'phone'),
    ('client', 'companyName', 'company_name'), ('client', 'salesContactId', 'sales_contact_id'),
    ('contract', 'totalAmount', 'total_amount'), ('contract', 'amountDue', 'amount_due'), ('contract', 'signedAt', 'signed_at'),
    ('event', 'name', 'name'), ('event', 'startAt', 'start_at'), ('event', 'endAt', 'end_at'), ('event', 'location', 'location'),
    ('event', 'attendees', 'attendees'), ('event', 'notes', 'notes'), ('event', 'supportContactId', 'support_contact_id'),
    ('user', 'fullName', 'full_name'), ('user', 'email', 'email'), ('user', 'phone', 'phone'), ('user', 'departmentId', 'department_id')
  ) m (o, f, c)
  where m.o = p_object and m.f = p_field
$$;

-- The fields of entry p_entry that changed since. A department role
-- may not read a collaborator's whole row (the password hash): a
-- collaborator's fields are read by name.
create or replace function undo_stale_fields(p_entry change_log) returns text[]
language plpgsql stable security invoker set search_path = epic, pg_temp
as $$
declare
  v_table text := p_entry.object || 's';
  v_new   jsonb;
  v_row   jsonb;
  v_stale text[];
begin
  if p_entry.object = 'user' then
    select to_jsonb(x) into v_row from (select u.full_name, u.email, u.phone, u.department_id from users u where u.id = p_entry.record_id) x;
    v_stale := case when v_row is not null then array(
      select f.key from jsonb_each(p_entry.changes) f where v_row -> undo_column('user', f.key) is distinct from f.value -> 1) end;
  else
    select jsonb_object_agg(undo_column(p_entry.object, f.key), f.value -> 1) into v_new from jsonb_each(p_entry.changes) f;
    execute format('select array(select f.key from jsonb_each($2) f
                                 where to_jsonb(t) -> undo_column($3, f.key) is distinct from to_jsonb(jsonb_populate_record(t, $4)) -> undo_column($3, f.key))
                    from %I t where t.id = $1', v_table)
      into v_stale using p_entry.record_id, p_entry.changes, p_entry.object, v_new;
  end if;
  if v_stale is null then
    return null;
  end if;
  return array(select distinct k from (
      select unnest(v_stale) k
      union all
      select k from change_log l, jsonb_object_keys(coalesce(l.changes, '{}')) k
      where l.object = p_entry.object and l.record_id = p_entry.record_id and l.id > p_entry.id and p_entry.changes ? k) s
    order by k);
end $$;

-- Write entry p_entry's old values back, as the caller; the values
-- typed through the table's row type without reading the row (a
-- collaborator's password hash is no department's to read).
create or replace function undo_write(p_entry change_log) returns void
language plpgsql volatile security invoker set search_path = epic, pg_temp
as $$
declare
  v_table text := p_entry.object || 's';
  v_cols  text[] := array(select undo_column(p_entry.object, k) from jsonb_object_keys(p_entry.changes) k order by k);
  v_old   jsonb;
  v_col   text;
  v_extra text := '';
  n       integer;
begin
  foreach v_col in array v_cols loop
    if not has_column_privilege(current_user, v_table, v_col, 'UPDATE') then
      raise exception 'your department may not change % of a %', (select k from jsonb_object_keys(p_entry.changes) k where undo_column(p_entry.object, k) = v_col), p_entry.object
        using errcode = 'EP320';
    end if;
  end loop;
  select jsonb_object_agg(undo_column(p_entry.object, f.key), f.value -> 0) into v_old from jsonb_each(p_entry.changes) f;
  -- The bookkeeping an update by the API does: last contact (not for an assignment); versions are bumped by 006's trigger.
  if p_entry.object <> 'client' or v_cols <> array['sales_contact_id'] then
    v_extra := ', updated_at = now()';
  end if;
  perform set_config('epic.undo_of', p_entry.id::text, true);
  execute format('update %1$I t set (%2$s) = (select %3$s from jsonb_populate_record(null::%1$I, $2) p)%4$s where t.id = $1',
                 v_table, (select string_agg(quote_ident(c), ', ') from unnest(v_cols) c),
                 (select string_agg('p.' || quote_ident(c), ', ') from unnest(v_cols) c), v_extra)
    using p_entry.record_id, v_old;
  get diagnostics n = row_count;
  perform set_config('epic.undo_of', '', true);
  if n = 0 then
    raise exception 'your department may not change % %', p_entry.object, p_entry.record_id using errcode = 'EP320';
  end if;
end $$;

-- undo(N): a record's change, or a collaborator's update (management's), undone
-- with the caller's rights; a deletion undone is a restore (restore_record).
create or replace function undo_change(p_entry bigint) returns jsonb
language plpgsql volatile security invoker set search_path = epic, pg_temp
as $$
declare
  e       change_log;
  v_table text;
  v_stale text[];
  n       integer;
begin
  select * into e from change_log l where l.id = p_entry;
  if not found then
    raise exception 'no history entry #%', p_entry using errcode = 'EP322';
  end if;
  v_table := e.object || 's';
  if e.object = 'user' and session_department() is distinct from 'management' then
    raise exception 'only management undoes a change of a collaborator' using errcode = 'EP320';
  elsif e.object = 'user' and e.action not in ('updated', 'undone') then
    raise exception 'history entry #% (% user) cannot be undone: only a collaborator''s updates can (users.create and users.delete for the rest)', e.id, e.action
      using errcode = 'EP321';
  elsif e.action not in ('created', 'imported', 'restored', 'deleted', 'updated', 'assigned', 'signed', 'payment', 'undone') then
    raise exception 'history entry #% (% %) cannot be undone', e.id, e.action, e.object using errcode = 'EP321';
  end if;
  if exists (select from change_log l where l.object = e.object and l.record_id = e.record_id and l.action = 'erased') then
    raise exception 'history entry #% cannot be undone: the personal data of % % was erased', e.id, e.object, e.record_id using errcode = 'EP321';
  end if;
  if e.action = 'deleted' then
    if exists (select from change_log l where l.object = e.object and l.record_id = e.record_id and l.id > e.id) then
      raise exception '% % has changed since history entry #%', e.object, e.record_id, e.id using errcode = 'EP321';
    end if;
    perform set_config('epic.undo_of', e.id::text, true);
    perform restore_record(e.object, e.record_id);
    perform set_config('epic.undo_of', '', true);
    return jsonb_build_object('object', e.object, 'recordId', e.record_id, 'action', 'restored', 'fields', '[]'::jsonb);
  end if;
  if e.action in ('created', 'imported', 'restored') then
    v_stale := array(select distinct k from change_log l, jsonb_object_keys(coalesce(l.changes, '{}')) k
                     where l.object = e.object and l.record_id = e.record_id and l.id > e.id order by k);
    if cardinality(v_stale) > 0 then
      raise exception '% % has changed since history entry #% (%)', e.object, e.record_id, e.id, array_to_string(v_stale, ', ')
        using errcode = 'EP321', detail = array_to_string(v_stale, ',');
    end if;
    perform set_config('epic.undo_of', e.id::text, true);
    execute format('delete from %I t where t.id = $1', v_table) using e.record_id;
    get diagnostics n = row_count;
    perform set_config('epic.undo_of', '', true);
    if n = 0 then
      if exists (select from trash t where t.object = e.object and t.record_id = e.record_id) then
        raise exception '% % is already in the trash', e.object, e.record_id using errcode = 'EP321';
      end if;
      raise exception 'your department may not delete % %', e.object, e.record_id using errcode = 'EP320';
    end if;
    return jsonb_build_object('object', e.object, 'recordId', e.record_id, 'action', 'deleted', 'fields', '[]'::jsonb);
  end if;
  if exists (select from jsonb_object_keys(e.changes) k where undo_column(e.object, k) is null) then
    raise exception 'history entry #% changes fields an undo does not write', e.id using errcode = 'EP321';
  end if;
  -- A field a later entry touched is stale, whatever its value now (static: one index range).
  n := 0;
  if not exists (select from change_log l where l.object = e.object and l.record_id = e.record_id and l.id > e.id
                 and l.changes ?| array(select jsonb_object_keys(e.changes))) then
    n := undo_apply(e);
  end if;
  if n = 0 then
    -- Nothing written: say why (the record gone, the fields that changed, or the caller's rights).
    v_stale := undo_stale_fields(e);
    if v_stale is null then
      raise exception '% % is not there any more (in the trash?): restore it first', e.object, e.record_id using errcode = 'EP321';
    elsif cardinality(v_stale) > 0 then
      raise exception '% % has changed since history entry #%: %', e.object, e.record_id, e.id, array_to_string(v_stale, ', ')
        using errcode = 'EP321', detail = array_to_string(v_stale, ',');
    end if;
    raise exception 'your department may not change % %', e.object, e.record_id using errcode = 'EP320';
  end if;
  return jsonb_build_object('object', e.object, 'recordId', e.record_id, 'action', 'undone',
                            'fields', (select jsonb_agg(k order by k) from jsonb_object_keys(e.changes) k));
end $$;

-- undo(N)'s write, in one statement: entry p_entry's old values back, as the
-- caller, only where the record still holds the entry's new values (compared
-- in the UPDATE itself, so a change committed meanwhile is never
-- overwritten). How many rows it wrote (0: changed, gone or not the caller's).
create or replace function undo_apply(p_entry change_log) returns integer
language plpgsql volatile security invoker set search_path = epic, pg_temp
as $$
declare
  v_table text := p_entry.object || 's';
  v_cols  text[] := array(select undo_column(p_entry.object, k) from jsonb_object_keys(p_entry.changes) k order by k);
  v_old   jsonb;
  v_new   jsonb;
  v_col   text;
  v_extra text := '';
  n       integer;
begin
  foreach v_col in array v_cols loop
    if not has_column_privilege(current_user, v_table, v_col, 'UPDATE') then
      raise exception 'your department may not change % of a %', (select k from jsonb_object_keys(p_entry.changes) k where undo_column(p_entry.object, k) = v_col), p_entry.object
        using errcode = 'EP320';
    end if;
  end loop;
  select jsonb_object_agg(undo_column(p_entry.object, f.key), f.value -> 0), jsonb_object_agg(undo_column(p_entry.object, f.key), f.value -> 1)
    into v_old, v_new from jsonb_each(p_entry.changes) f;
  -- The bookkeeping an update by the API does: last contact (not for an assignment); versions are bumped by 006's trigger.
  if p_entry.object <> 'client' or v_cols <> array['sales_contact_id'] then
    v_extra := ', updated_at = now()';
  end if;
  perform set_config('epic.undo_of', p_entry.id::text, true);
  execute format('update %1$I t set (%2$s) = (select %3$s from jsonb_populate_record(null::%1$I, $2) p)%4$s
                  from jsonb_populate_record(null::%1$I, $3) w where t.id = $1 and %5$s',
                 v_table, (select string_agg(quote_ident(c), ', ') from unnest(v_cols) c),
                 (select string_agg('p.' || quote_ident(c), ', ') from unnest(v_cols) c), v_extra,
                 (select string_agg(format('t.%1$I is not distinct from w.%1$I', c), ' and ') from unnest(v_cols) c))
    using p_entry.record_id, v_old, v_new;
  get diagnostics n = row_count;
  perform set_config('epic.undo_of', '', true);
  return n;
end $$;

-- clients.undoImport(N) deletes the clients the import created and writes back
-- what it updated in the same way as undo(N) (undo_apply): only where the
-- client still holds the import's values, compared in the UPDATE itself, so a
-- change committed between the check and the write is refused (named), never
-- overwritten; with the caller's rights.
-- undo_import(N): {deleted: [client ids], restored: [client ids]}.
create or replace function undo_import(p_import bigint) returns jsonb
language plpgsql volatile security invoker set search_path = epic, pg_temp
as $$
declare
  i         client_imports;
  v_created integer[];
  v_updates change_log[];
  v_changed text[];
  e         change_log;
  n         integer;
begin
  select * into i from client_imports x where x.id = p_import;
  if not found then
    raise exception 'no import #%', p_import using errcode = 'EP322';
  end if;
  v_created := array(select l.record_id from change_log l
                     where l.at = i.at and l.xact = i.xact and l.object = 'client' and l.action = 'imported' order by l.record_id);
  v_updates := array(select l from change_log l
                     where l.at = i.at and l.xact = i.xact and l.object = 'client' and l.action = 'updated' order by l.id desc);
  if exists (select from change_log l where l.object = 'client' and l.record_id = any(v_created) and l.action = 'deleted'
             and l.note = 'undo of import #' || i.id) then
    raise exception 'import #% is already undone', i.id using errcode = 'EP321';
  end if;
  -- Every client that changed or gained a contract since, named.
  v_changed := array(
    select format('client %s %s', c.record_id, c.why) from (
      select l.record_id, 'changed since (' || coalesce(string_agg(distinct k, ', '), string_agg(distinct l.action, ', ')) || ')' as why
      from change_log l
      left join lateral jsonb_object_keys(coalesce(l.changes, '{}')) k on true
      where l.object = 'client' and l.record_id = any(v_created || array(select (u).record_id from unnest(v_updates) u))
        and l.id > (select max(m.id) from change_log m where m.at = i.at and m.xact = i.xact and m.object = 'client' and m.record_id = l.record_id)
      group by l.record_id
      union all
      select k.client_id, 'gained contract ' || min(k.id) from contracts k where k.client_id = any(v_created) group by k.client_id
    ) c order by c.record_id);
  if cardinality(v_changed) > 0 then
    raise exception 'import #% cannot be undone: %', i.id, array_to_string(v_changed[1:10], '; ') || case when cardinality(v_changed) > 10 then format('; and %s more', cardinality(v_changed) - 10) else '' end
      using errcode = 'EP321';
  end if;
  perform set_config('epic.undo_of', 'import ' || i.id, true);
  delete from clients c where c.id = any(v_created);
  get diagnostics n = row_count;
  perform set_config('epic.undo_of', '', true);
  if n <> cardinality(v_created) then
    raise exception 'import #%: your department may not delete % of the clients it created', i.id, cardinality(v_created) - n using errcode = 'EP320';
  end if;
  -- Each update written back only where the client still holds the import's
  -- values (undo_apply: a change committed since the check above is never overwritten).
  foreach e in array v_updates loop
    if undo_apply(e) = 0 then
      v_changed := undo_stale_fields(e);
      if cardinality(v_changed) > 0 then
        raise exception 'import #% cannot be undone: client % changed since (%)', i.id, e.record_id, array_to_string(v_changed, ', ')
          using errcode = 'EP321';
      end if;
      raise exception 'import #%: your department may not change client %', i.id, e.record_id using errcode = 'EP320';
    end if;
  end loop;
  return jsonb_build_object('deleted', to_jsonb(v_created), 'restored', (select coalesce(jsonb_agg((u).record_id order by (u).record_id), '[]') from unnest(v_updates) u));
end $$;

-- Erase a person; everything held about a client.
--
-- erase_client(id) (management) replaces the client's personal data (name,
-- email, phone, company) by a placeholder everywhere it is kept: the record
-- (or its trash entry) and every history entry's old and new values of
-- those fields. Contracts, amounts and events stay. The history says
-- "erased", with who and when, and nothing of what was there.
-- client_personal_data(id) (management) gathers the record, its contracts,
-- their events and the history of all of them in one JSON document.

-- The placeholder for a personal field (null stays null: nothing was held).
create or replace function erased_value(p_value jsonb) returns jsonb
language sql immutable parallel safe
as $$ select case when p_value is null or p_value = 'null'::jsonb then p_value else '"[erased]"'::jsonb end $$;

create or replace function erase_client(p_id integer) returns void
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
declare
  c_fields constant text[] := array['fullName', 'email', 'phone', 'companyName'];
  v_email  text := 'erased-' || p_id || '@erased.invalid';
  v_last   bigint;
begin
  if session_department() is distinct from 'management' then
    raise exception 'only management erases a client''s personal data' using errcode = 'EP320';
  end if;
  v_last := coalesce((select max(l.id) from change_log l), 0);
  update clients c
  set full_name = '[erased]', email = v_email,
      phone = case when c.phone is null then null else '[erased]' end, phone_e164 = null,
      company_name = case when c.company_name is null then null else '[erased]' end,
      updated_at = now()
  where c.id = p_id;
  if not found then
    update trash t
    set record = t.record || jsonb_build_object('full_name', '[erased]', 'email', v_email, 'phone_e164', null,
                                                'phone', erased_value(t.record -> 'phone'), 'company_name', erased_value(t.record -> 'company_name')),
        follow_ups = (select jsonb_agg(f || '{"note": "[erased]"}' order by (f ->> 'id')::integer) from jsonb_array_elements(t.follow_ups) f)
    where t.object = 'client' and t.record_id = p_id;
    if not found then
      raise exception 'no client %', p_id using errcode = 'EP322';
    end if;
  end if;
  -- Follow-up notes are free text about the person.
  update follow_ups f set note = '[erased]' where f.client_id = p_id;
  -- The update's own entry would hold the old values: the erasure replaces it.
  delete from change_log l where l.id > v_last and l.object = 'client' and l.record_id = p_id and l.xact = pg_current_xact_id() and l.action = 'updated';
  update change_log l
  set changes = (select jsonb_object_agg(f.key, case when f.key = any(c_fields)
                                                     then jsonb_build_array(erased_value(f.value -> 0), erased_value(f.value -> 1))
                                                     else f.value end)
                 from jsonb_each(l.changes) f)
  where l.object = 'client' and l.record_id = p_id and l.changes ?| c_fields;
  perform log_change('client', p_id, 'erased', null, 'personal data replaced by placeholders');
end $$;

-- Everything held about a client, for a subject access request: as management
-- reads it, its follow-ups included (in its trash entry when it is there).
create or replace function client_personal_data(p_id integer) returns jsonb
language plpgsql stable security invoker set search_path = epic, pg_temp
as $$
declare
  v_client  jsonb;
  v_trash   boolean := false;
  v_follow  jsonb;
begin
  if session_department() is distinct from 'management' then
    raise exception 'only management reads a client''s personal data' using errcode = 'EP320';
  end if;
  select to_jsonb(c) into v_client from clients c where c.id = p_id;
  if v_client is null then
    select t.record, t.follow_ups into v_client, v_follow from trash t where t.object = 'client' and t.record_id = p_id;
    v_trash := v_client is not null;
  else
    v_follow := (select jsonb_agg(to_jsonb(f) order by f.id) from follow_ups f where f.client_id = p_id);
  end if;
  if v_client is null then
    raise exception 'no client %', p_id using errcode = 'EP322';
  end if;
  return (
    with contracts_of as (
      select to_jsonb(k) as rec, k.id from contracts k where k.client_id = p_id
      union all
      select t.record, t.record_id from trash t where t.object = 'contract' and (t.record ->> 'client_id')::integer = p_id
    ), events_of as (
      select to_jsonb(e) as rec, e.id from events e where e.contract_id in (select id from contracts_of)
      union all
      select t.record, t.record_id from trash t where t.object = 'event' and (t.record ->> 'contract_id')::integer in (select id from contracts_of)
    )
    select jsonb_build_object(
      'client', v_client,
      'inTrash', v_trash,
      'contracts', coalesce((select jsonb_agg(rec order by id) from contracts_of), '[]'),
      'events', coalesce((select jsonb_agg(rec order by id) from events_of), '[]'),
      'followUps', coalesce(v_follow, '[]'),
      'history', coalesce((select jsonb_agg(jsonb_build_object('id', l.id, 'at', l.at, 'actorName', l.actor_name, 'object', l.object,
                                                               'recordId', l.record_id, 'action', l.action, 'changes', l.changes, 'note', l.note)
                                            order by l.id)
                           from change_log l
                           where (l.object = 'client' and l.record_id = p_id)
                              or (l.object = 'contract' and l.record_id in (select id from contracts_of))
                              or (l.object = 'event' and l.record_id in (select id from events_of))), '[]'))
  );
end $$;

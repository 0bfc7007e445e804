-- 027: undo a change from the history, undo an import. Runs as epic_owner.
--
-- undo_change(N) writes entry N's old values back as a new change, with the
-- caller's own rights (SECURITY INVOKER: the grants and row policies decide,
-- as for an update the caller would type), and refuses, naming the fields,
-- when any of them changed since (a later entry, or a value that is no
-- longer N's new one): a later change is never overwritten. A creation
-- undone goes to the trash, a deletion undone is restored (026).
--
-- An import that wrote something (lib/crm/import.ts) calls begin_import, which numbers it;
-- its history entries are those of its transaction (change_log.xact).
-- undo_import(N) moves the clients it created to the trash and puts back
-- what it updated, all or nothing, refused naming every client that changed
-- or gained a contract since.

-- The transaction of each entry (null for entries written before this migration).
alter table change_log add column xact xid8;
alter table change_log alter column xact set default pg_current_xact_id();

create table client_imports (
  id       bigint generated always as identity primary key,
  at       timestamptz not null default now(),
  actor_id integer,
  file     text not null check (length(file) <= 500),
  xact     xid8 not null default pg_current_xact_id()
);
alter table client_imports enable row level security;
alter table client_imports force row level security;
create policy client_imports_owner on client_imports to epic_owner using (true) with check (true);
-- Who imported what file when is no secret (the history says as much); undoing one is
-- refused by the rules on its clients.
create policy client_imports_read on client_imports for select to epic_management, epic_sales, epic_support using (true);
create policy client_imports_session on client_imports as restrictive to epic_management, epic_sales, epic_support
  using ((select session_acts_as(current_user::text)));
grant select on client_imports to epic_management, epic_sales, epic_support;

-- The import's number; what follows in the transaction is "imported from FILE" (007's settings).
create function begin_import(p_file text) returns bigint
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
declare
  v_id bigint;
begin
  if coalesce(session_department(), '') not in ('management', 'sales') then
    raise exception 'only sales and management import clients' using errcode = 'EP320';
  end if;
  insert into client_imports (actor_id, file) values (current_collaborator_id(), left(p_file, 500)) returning id into v_id;
  perform set_config('epic.change_action', 'imported', true), set_config('epic.change_note', left('imported from ' || p_file, 500), true);
  return v_id;
end $$;
revoke all on function begin_import(text) from public;
grant execute on function begin_import(text) to epic_management, epic_sales;

-- The column an undo writes for a field of the history (the fields the API changes).
create function undo_column(p_object text, p_field text) returns text
language sql immutable parallel safe
as $$
  select c from (values
    ('client', 'fullName', 'full_name'), ('client', 'email', 'email'), ('client', 'phone', 'phone'),
    ('client', 'companyName', 'company_name'), ('client', 'salesContactId', 'sales_contact_id'),
    ('contract', 'totalAmount', 'total_amount'), ('contract', 'amountDue', 'amount_due'), ('contract', 'signedAt', 'signed_at'),
    ('event', 'name', 'name'), ('event', 'startAt', 'start_at'), ('event', 'endAt', 'end_at'), ('event', 'location', 'location'),
    ('event', 'attendees', 'attendees'), ('event', 'notes', 'notes'), ('event', 'supportContactId', 'support_contact_id')
  ) m (o, f, c)
  where m.o = p_object and m.f = p_field
$$;

-- The fields of entry p_entry that changed since: touched by a later entry of
-- the record, or no longer holding the entry's new value. Null when the
-- record is not in its table (deleted since).
create function undo_stale_fields(p_entry change_log) returns text[]
language plpgsql stable security invoker set search_path = epic, pg_temp
as $$
declare
  v_table text := p_entry.object || 's';
  v_new   jsonb;
  v_stale text[];
begin
  select jsonb_object_agg(undo_column(p_entry.object, f.key), f.value -> 1) into v_new from jsonb_each(p_entry.changes) f;
  execute format('select array(select f.key from jsonb_each($2) f
                               where to_jsonb(t) -> undo_column($3, f.key) is distinct from to_jsonb(jsonb_populate_record(t, $4)) -> undo_column($3, f.key))
                  from %I t where t.id = $1', v_table)
    into v_stale using p_entry.record_id, p_entry.changes, p_entry.object, v_new;
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

-- Write entry p_entry's old values back, as the caller (no staleness check here).
create function undo_write(p_entry change_log) returns void
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
  execute format('update %1$I t set (%2$s) = (select %3$s from jsonb_populate_record(t, $2) p)%4$s where t.id = $1',
                 v_table, (select string_agg(quote_ident(c), ', ') from unnest(v_cols) c),
                 (select string_agg('p.' || quote_ident(c), ', ') from unnest(v_cols) c), v_extra)
    using p_entry.record_id, v_old;
  get diagnostics n = row_count;
  perform set_config('epic.undo_of', '', true);
  if n = 0 then
    raise exception 'your department may not change % %', p_entry.object, p_entry.record_id using errcode = 'EP320';
  end if;
end $$;

-- undo(N): what was done, as {object, recordId, action, fields}.
create function undo_change(p_entry bigint) returns jsonb
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
  if e.object = 'user' or e.action not in ('created', 'imported', 'restored', 'deleted', 'updated', 'assigned', 'signed', 'payment', 'undone') then
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
  v_stale := undo_stale_fields(e);
  if v_stale is null then
    raise exception '% % is not there any more (in the trash?): restore it first', e.object, e.record_id using errcode = 'EP321';
  elsif cardinality(v_stale) > 0 then
    raise exception '% % has changed since history entry #%: %', e.object, e.record_id, e.id, array_to_string(v_stale, ', ')
      using errcode = 'EP321', detail = array_to_string(v_stale, ',');
  end if;
  perform undo_write(e);
  return jsonb_build_object('object', e.object, 'recordId', e.record_id, 'action', 'undone',
                            'fields', (select jsonb_agg(k order by k) from jsonb_object_keys(e.changes) k));
end $$;

-- undo_import(N): {deleted: [client ids], restored: [client ids]}.
create function undo_import(p_import bigint) returns jsonb
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
  foreach e in array v_updates loop
    perform undo_write(e);
  end loop;
  return jsonb_build_object('deleted', to_jsonb(v_created), 'restored', (select coalesce(jsonb_agg((u).record_id order by (u).record_id), '[]') from unnest(v_updates) u));
end $$;

revoke all on function undo_column(text, text), undo_stale_fields(change_log), undo_write(change_log), undo_change(bigint), undo_import(bigint) from public;
grant execute on function undo_column(text, text), undo_stale_fields(change_log), undo_write(change_log), undo_change(bigint), undo_import(bigint)
  to epic_management, epic_sales, epic_support;

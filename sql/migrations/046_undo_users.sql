-- 046: undo a change of a collaborator (issue 32). Runs as epic_owner.
--
-- undo(N) of a collaborator's "updated" (or "undone") entry writes its old
-- values back (full name, email, phone, department) exactly as 027 does for
-- clients, contracts and events: with the caller's own rights (only
-- management may update a collaborator, and only management reads their
-- history), refused naming the fields when any of them changed since, and
-- in the history as "undone" with "#N" only when the row holds entry N's old
-- values again. The rules of a department change still hold (006, 009: the
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

-- The fields of entry p_entry that changed since (027). A department role
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

-- Write entry p_entry's old values back, as the caller (027); the values
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

-- undo(N)'s write, in one statement: entry p_entry's old values back, as the
-- caller, only where the record still holds the entry's new values (compared
-- in the UPDATE itself, so a change committed meanwhile is never
-- overwritten). How many rows it wrote (0: changed, gone or not the caller's).
create function undo_apply(p_entry change_log) returns integer
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
revoke all on function undo_apply(change_log) from public;
grant execute on function undo_apply(change_log) to epic_management, epic_sales, epic_support;

-- undo(N): as 027, a collaborator's update now included (management's).
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

-- A collaborator's change in the history (007), "undone #N" as 026 labels a
-- record's: only when the row now holds entry N's old values for every field that changed.
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

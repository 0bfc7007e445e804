-- 045: a trashed client keeps its follow-ups; an erasure reaches every copy
-- of its personal data. Runs as epic_owner.
--
-- Until now a client's follow-ups went away with it for good (031's foreign
-- key cascades on delete), so clients.restore(id) brought it back without
-- them. The client's trash entry now holds them (trash.follow_ups, the rows
-- as they were) and a restore puts them back with their own ids, open or
-- done, in no new history entry (the client's own says "restored").
--
-- erase_client (028) now also replaces the notes of the client's follow-ups
-- (in the table and in its trash entry: free text about the person) and
-- clears the E.164 reading of the phone kept in a trash entry (the record
-- itself gets it cleared by 023's trigger when its phone is replaced).
-- client_personal_data lists the follow-ups too.

alter table trash add column follow_ups jsonb;

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
-- reads it (028), its follow-ups now included (in its trash entry when it is there).
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

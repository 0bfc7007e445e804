-- 028: erase a person; everything held about a client. Runs as epic_owner.
--
-- erase_client(id) (management) replaces the client's personal data (name,
-- email, phone, company) by a placeholder everywhere it is kept: the record
-- (or its trash entry) and every history entry's old and new values of
-- those fields. Contracts, amounts and events stay. The history says
-- "erased", with who and when, and nothing of what was there.
-- client_personal_data(id) (management) gathers the record, its contracts,
-- their events and the history of all of them in one JSON document.

-- The placeholder for a personal field (null stays null: nothing was held).
create function erased_value(p_value jsonb) returns jsonb
language sql immutable parallel safe
as $$ select case when p_value is null or p_value = 'null'::jsonb then p_value else '"[erased]"'::jsonb end $$;

create function erase_client(p_id integer) returns void
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
      phone = case when c.phone is null then null else '[erased]' end,
      company_name = case when c.company_name is null then null else '[erased]' end,
      updated_at = now()
  where c.id = p_id;
  if not found then
    update trash t
    set record = t.record || jsonb_build_object('full_name', '[erased]', 'email', v_email,
                                                'phone', erased_value(t.record -> 'phone'), 'company_name', erased_value(t.record -> 'company_name'))
    where t.object = 'client' and t.record_id = p_id;
    if not found then
      raise exception 'no client %', p_id using errcode = 'EP322';
    end if;
  end if;
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
revoke all on function erased_value(jsonb), erase_client(integer) from public;
grant execute on function erase_client(integer) to epic_management;

-- Everything held about a client, for a subject access request: as management reads it.
create function client_personal_data(p_id integer) returns jsonb
language plpgsql stable security invoker set search_path = epic, pg_temp
as $$
declare
  v_client jsonb;
  v_trash  boolean := false;
begin
  if session_department() is distinct from 'management' then
    raise exception 'only management reads a client''s personal data' using errcode = 'EP320';
  end if;
  select to_jsonb(c) into v_client from clients c where c.id = p_id;
  if v_client is null then
    select t.record into v_client from trash t where t.object = 'client' and t.record_id = p_id;
    v_trash := v_client is not null;
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
      'history', coalesce((select jsonb_agg(jsonb_build_object('id', l.id, 'at', l.at, 'actorName', l.actor_name, 'object', l.object,
                                                               'recordId', l.record_id, 'action', l.action, 'changes', l.changes, 'note', l.note)
                                            order by l.id)
                           from change_log l
                           where (l.object = 'client' and l.record_id = p_id)
                              or (l.object = 'contract' and l.record_id in (select id from contracts_of))
                              or (l.object = 'event' and l.record_id in (select id from events_of))), '[]'))
  );
end $$;
revoke all on function client_personal_data(integer) from public;
grant execute on function client_personal_data(integer) to epic_management;

-- 048: clients.undoImport(N) writes back what the import updated in the
-- same way as undo(N) since 046 (undo_apply): only where the client still
-- holds the import's values, compared in the UPDATE itself, so a change
-- committed between the check and the write is refused (named), never
-- overwritten. Otherwise as 027. Runs as epic_owner.

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

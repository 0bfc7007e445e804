-- 076: restore_record() returns the record as it came back (its table's row
-- as jsonb, the triggers applied) instead of how many records came back, so
-- the shell shows it without reading it again (sql/clients.sql restoreClient,
-- sql/contracts.sql restoreContract, sql/events.sql restoreEvent), as
-- pay_contract() and sign_contract() return theirs since 050 and 075. Same
-- name, arguments, checks, errors and grants as 026 defined: only the return
-- type changes, which CREATE OR REPLACE cannot do. undo (027, 046) calls it
-- with PERFORM, which ignores what it returns. Its definition lives in
-- sql/security/60_trash.sql (applied after the migrations at every setup);
-- it is created here too so that the schema is whole after this migration.
drop function restore_record(text, integer);

create function restore_record(p_object text, p_id integer) returns jsonb
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
revoke all on function restore_record(text, integer) from public;
grant execute on function restore_record(text, integer) to epic_management, epic_sales, epic_support;

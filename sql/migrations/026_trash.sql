-- 026: the trash. Runs as epic_owner.
--
-- A DELETE of a client, contract or event, whatever path it comes by (the
-- shell's clients.delete, a script, raw SQL with the runtime credentials),
-- moves the record to the trash table, with what goes with it: a client's
-- contracts, a contract's event. The records leave their tables, so every
-- list, count, search, report and digest leaves them out with no filter to
-- add anywhere (and no index or bench figure changes); the tallies and report
-- totals follow the delete like any other change. A restore puts the rows
-- back with their own ids (identity values are never handed out twice).
--
-- Who may delete is who may update the record (003), as DELETE policies:
-- management anything; sales their own clients and their clients'
-- contracts, except a signed contract with payments (management only);
-- support the events assigned to them. restore_record checks the same rules
-- against the record in the trash; only management empties it
-- (empty_trash), and nothing else deletes rows.

-- History's new actions.
alter table change_log drop constraint change_log_action_check;
alter table change_log add constraint change_log_action_check check (action in (
  'created', 'updated', 'signed', 'assigned', 'payment', 'imported', 'deleted', 'password changed', 'sessions ended', 'lockout',
  'restored', 'undone', 'erased', 'purged'));

create table trash (
  id                 bigint generated always as identity primary key,
  object             text not null check (object in ('client', 'contract', 'event')),
  record_id          integer not null,
  -- The row as it was (to_jsonb), put back as it is by a restore.
  record             jsonb not null,
  -- The entry of the record whose deletion took this one along (a client's
  -- contracts, a contract's event); null for what was deleted itself.
  went_with          bigint references trash (id) on delete cascade,
  -- Who may see it: the client's sales contact and the event's support contact when it was deleted.
  sales_contact_id   integer,
  support_contact_id integer,
  deleted_at         timestamptz not null default now(),
  deleted_by         integer,
  deleted_by_name    text not null,
  constraint trash_record_key unique (object, record_id)
);
create index trash_list_idx on trash (id) where went_with is null;
create index trash_went_with_idx on trash (went_with) where went_with is not null;
create index trash_deleted_at_idx on trash (deleted_at) where went_with is null;

alter table trash enable row level security;
alter table trash force row level security;
create policy trash_owner on trash to epic_owner using (true) with check (true);
-- What each department sees: management everything; sales what belonged to
-- their clients; support the events that were assigned to them.
create policy trash_read on trash for select to epic_management, epic_sales, epic_support
  using (current_user = 'epic_management'
         or (current_user = 'epic_sales' and sales_contact_id = (select current_collaborator_id()))
         or (current_user = 'epic_support' and support_contact_id = (select current_collaborator_id())));
create policy trash_session on trash as restrictive to epic_management, epic_sales, epic_support
  using ((select session_acts_as(current_user::text)));
grant select on trash to epic_management, epic_sales, epic_support;

-- A signed contract with payments recorded on it (only management deletes it).
create function contract_has_payments(p_signed_at timestamptz, p_total numeric, p_due numeric) returns boolean
language sql immutable parallel safe
as $$ select p_signed_at is not null and p_due < p_total $$;
revoke all on function contract_has_payments(timestamptz, numeric, numeric) from public;
grant execute on function contract_has_payments(timestamptz, numeric, numeric) to epic_management, epic_sales, epic_support;

-- DELETE, as the department may update (003).
grant delete on clients to epic_management, epic_sales;
grant delete on contracts to epic_management, epic_sales;
grant delete on events to epic_management, epic_support;
create policy clients_management_delete on clients for delete to epic_management using (true);
create policy clients_sales_delete on clients for delete to epic_sales
  using (sales_contact_id = (select current_collaborator_id()));
create policy contracts_management_delete on contracts for delete to epic_management using (true);
create policy contracts_sales_delete on contracts for delete to epic_sales
  using (not contract_has_payments(signed_at, total_amount, amount_due)
         and exists (select 1 from clients c where c.id = client_id and c.sales_contact_id = (select current_collaborator_id())));
create policy events_management_delete on events for delete to epic_management using (true);
create policy events_support_delete on events for delete to epic_support
  using (support_contact_id = (select current_collaborator_id()));

-- An undo (027) says which history entry it undoes in epic.undo_of; the
-- entries it causes carry "#N" only when entry N is about the same record,
-- so a value set by hand labels nothing it did not undo.
create function undo_note(p_object text, p_record integer) returns text
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

-- Who deleted, once: the verified session's collaborator, or "system".
create function trash_record() returns trigger
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
  insert into trash (object, record_id, record, went_with, sales_contact_id, support_contact_id, deleted_by, deleted_by_name)
  values (v_object, old.id, to_jsonb(old), v_parent, v_sales, v_support, v_actor,
          coalesce((select u.full_name from users u where u.id = v_actor), 'system'))
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
revoke all on function undo_note(text, integer), trash_record() from public;
create trigger clients_trash before delete on clients for each row execute function trash_record();
create trigger contracts_trash before delete on contracts for each row execute function trash_record();
create trigger events_trash before delete on events for each row execute function trash_record();

-- Report totals follow a contract out (and back in: a restore is an insert, 009).
create function report_contract_removed() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
begin
  perform report_add((select c.sales_contact_id from clients c where c.id = old.client_id), old.client_id, old.signed_at, old.total_amount, old.amount_due, -1);
  return null;
end $$;
revoke all on function report_contract_removed() from public;
create trigger contracts_report_delete after delete on contracts for each row execute function report_contract_removed();

-- A restore is an insert of a row whose id is in the trash: no insert by a
-- department can choose an id (identity, no column grant), so the history
-- says "restored" for it and "created" for anything else. Otherwise as 013
-- left it (labels from the work itself: "payment" only from pay_contract()).
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

create or replace function log_client_inserts() returns trigger
language plpgsql security definer set search_path = epic, pg_temp
as $$
declare
  v_actor integer := current_collaborator_id();
begin
  insert into change_log (actor_id, actor_name, object, record_id, action, changes, note)
  select v_actor, coalesce((select u.full_name from users u where u.id = v_actor), 'system'), 'client', n.id,
         case when t.id is not null then 'restored'
              when current_setting('epic.change_action', true) = 'imported' then 'imported' else 'created' end,
         null,
         case when t.id is not null then undo_note('client', n.id) else nullif(left(current_setting('epic.change_note', true), 500), '') end
  from inserted n
  left join trash t on t.object = 'client' and t.record_id = n.id
  order by n.id;
  return null;
end $$;

-- May the caller bring this entry back (or see it go): the rules of the
-- DELETE policies above, read on the record as it was. For a client, what
-- went with it counts too (a contract with payments: management only).
create function trash_may_restore(p_entry trash) returns boolean
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

-- One trashed row back in its table, its id kept. A collaborator who left
-- (or changed department) meanwhile is no longer its contact.
create function trash_put_back(p_entry trash) returns void
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
-- Returns how many records came back.
create function restore_record(p_object text, p_id integer) returns integer
language plpgsql volatile security definer set search_path = epic, pg_temp
as $$
declare
  v_entry  trash;
  v_child  trash;
  v_parent text;
  n        integer := 1;
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
    n := n + 1;
  end loop;
  -- Out of the trash (what went with it too: on delete cascade).
  delete from trash t where t.id = v_entry.id;
  return n;
end $$;

-- trash.empty({olderThan}): management only. Returns how many records went for good.
create function empty_trash(p_older_than interval) returns integer
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

revoke all on function trash_may_restore(trash), trash_put_back(trash), restore_record(text, integer), empty_trash(interval) from public;
grant execute on function restore_record(text, integer) to epic_management, epic_sales, epic_support;
grant execute on function empty_trash(interval) to epic_management;

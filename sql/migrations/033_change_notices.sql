-- 033: notices at the prompt (lib/shell/notices.ts). Runs as epic_owner.
--
-- Each statement that adds history entries announces them on the channel
-- epic_change when its transaction commits: the payload is the range of
-- their ids (`12-15`), naming no one and nothing. Anyone holding the runtime
-- role may LISTEN; what a shell then reads of those entries it reads under its
-- own verified session, so the row policies decide what it learns. One
-- notification per statement, so an import of a thousand clients is one.
create function notify_changes() returns trigger
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
revoke all on function notify_changes() from public;
create trigger change_log_notify after insert on change_log referencing new table as added
  for each statement execute function notify_changes();

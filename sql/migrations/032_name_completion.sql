-- 032: Tab completion of client and collaborator names (lib/shell/name-completion.ts). Runs as epic_owner.
--
-- `events.assign(4, kat` + Tab offers the ids whose name starts with what is
-- typed. lower() is not leakproof, so under the row policies PostgreSQL may
-- not use an index on it; as client_emails (011), these views read as their
-- owner once the caller's session is verified, and every department may read
-- every client and collaborator's name anyway. One index scan of at most 20
-- rows at any number of clients.
create index clients_name_prefix_idx on clients (lower(full_name) text_pattern_ops, id);

create view client_names as
  select c.id, c.full_name, lower(c.full_name) as name_key
  from clients c
  where (select session_acts_as(current_user::text));
grant select on client_names to epic_management, epic_sales, epic_support;

create view collaborator_names as
  select u.id, u.full_name, lower(u.full_name) as name_key, d.name as department
  from users u join departments d on d.id = u.department_id
  where (select session_acts_as(current_user::text));
grant select on collaborator_names to epic_management, epic_sales, epic_support;

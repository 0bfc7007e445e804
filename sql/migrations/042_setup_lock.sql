-- 042: what setup and the migrations lock is the owner's alone (issue 27).
-- They serialised on advisory locks (4242000, 4242001), which any role that
-- may connect can take and hold: on a server where setup is no superuser (so
-- PUBLIC keeps the advisory lock functions), a collaborator holding either
-- made every later setup wait for good. Setup now locks this row (FOR
-- UPDATE) and the migrations lock schema_migrations: privileges nobody but
-- the owner (and the administrator, its member) holds.
create table setup_lock (id boolean primary key default true check (id));
insert into setup_lock default values;
revoke all on setup_lock from public;

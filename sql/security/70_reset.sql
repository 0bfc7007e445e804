-- The security model, 7: undo every policy and grant, so that the two files
-- after this one say everything that is granted and every policy there is.
--
-- sql/security/*.sql run in name order after the migrations, at every setup,
-- in one transaction as epic_owner under the migrations' lock
-- (lib/db/migrate.ts, applySecurity). 10_* to 60_* first define every
-- function (create or replace, which leaves a function's privileges as they
-- were); then this file drops every row-level policy on epic's tables and
-- revokes every privilege in schema epic that a role other than the object's
-- owner (epic_owner) holds: on the schema, its tables, views, columns and
-- sequences, and its functions (PUBLIC's default EXECUTE included, also that
-- of a function the files above created just now); then 80_policies.sql
-- creates the policies and 90_grants.sql grants. A grant or policy made by
-- hand is therefore gone after the next setup, one dropped by hand comes
-- back, and a second run changes nothing.
--
-- Left alone: the owner's own rights, the extensions' functions (pgcrypto,
-- pg_trgm: not ours to close), privileges outside schema epic (the database's
-- CONNECT, setup's revokes from PUBLIC: sql/setup.sql), the roles and their
-- memberships (sql/setup.sql createRoles: the fixed epic_* roles;
-- each session's own role: create_session_role in 20_logins.sql).
do $$
declare
  r record;
begin
  for r in
    select p.policyname, p.tablename from pg_policies p where p.schemaname = 'epic'
  loop
    execute format('drop policy %I on epic.%I', r.policyname, r.tablename);
  end loop;

  -- Relations (tables, views, sequences), with their columns: a table's REVOKE
  -- also revokes the privileges of its columns.
  for r in
    select distinct c.oid::regclass::text as object,
           case when c.relkind = 'S' then 'sequence ' else 'table ' end as kind,
           case when x.grantee = 0 then 'public' else quote_ident(pg_get_userbyid(x.grantee)) end as grantee
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    cross join lateral (
      select (aclexplode(c.relacl)).grantee
      union
      select (aclexplode(a.attacl)).grantee
      from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and a.attacl is not null
    ) x
    where n.nspname = 'epic' and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') and x.grantee <> c.relowner
  loop
    execute format('revoke all on %s%s from %s', r.kind, r.object, r.grantee);
  end loop;

  -- Functions and procedures: PUBLIC holds EXECUTE on one whose ACL was never
  -- written (acldefault), so it is revoked from PUBLIC every time.
  for r in
    select distinct p.oid::regprocedure::text as object,
           case when x.grantee = 0 then 'public' else quote_ident(pg_get_userbyid(x.grantee)) end as grantee
    from pg_proc p
    join pg_namespace n on n.oid = p.pronamespace
    cross join lateral aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) x
    where n.nspname = 'epic' and x.grantee <> p.proowner
      and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
  loop
    execute format('revoke all on routine %s from %s', r.object, r.grantee);
  end loop;

  for r in
    select distinct case when x.grantee = 0 then 'public' else quote_ident(pg_get_userbyid(x.grantee)) end as grantee
    from pg_namespace n cross join lateral aclexplode(n.nspacl) x
    where n.nspname = 'epic' and x.grantee <> n.nspowner
  loop
    execute format('revoke all on schema epic from %s', r.grantee);
  end loop;
end $$;

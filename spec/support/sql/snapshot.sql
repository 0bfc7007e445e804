-- The schema as the migrations leave it, one line a fact, for the committed
-- snapshot (sql/schema.snapshot, spec/db/schema-snapshot.spec.ts): tables and
-- their columns, constraints, indexes, row-level security and policies,
-- views, functions (whose rights they run with, their settings, their
-- body), triggers, every grant of schema epic, and the roles of the model
-- with their memberships. The runtime login role is written <runtime>
-- (its name is configurable); per-session login roles are not in it.

-- name: schemaSnapshot :many
-- params: runtimeRole
with ours as (
  select oid, rolname,
         case when rolname = $1 then '<runtime>' else rolname end as name
  from pg_roles
  where rolname = $1 or (rolname like 'epic\_%' and not rolcanlogin)
),
who as (
  select oid, name from ours
  union all select 0, 'PUBLIC'
),
rels as (
  select c.oid, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.relacl, c.relowner
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = 'epic' and c.relkind in ('r', 'v', 'm', 'p')
),
funcs as (
  select p.oid, p.proname, p.proowner, p.proacl, p.prosecdef, p.provolatile, p.proconfig, p.prokind, p.prosrc,
         p.oid::regprocedure::text as signature
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname = 'epic'
    -- Not the extensions' (pgcrypto, pg_trgm): their functions vary with the server's version.
    and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
),
lines as (
  -- Roles of the model and their memberships.
  select '1 role ' || o.name
         || case when r.rolcanlogin then ' login' else ' nologin' end
         || case when r.rolinherit then ' inherit' else ' noinherit' end
         || case when r.rolcreaterole then ' createrole' else '' end
         || case when r.rolbypassrls then ' bypassrls' else '' end as line
  from ours o join pg_roles r on r.oid = o.oid
  union all
  select '1 member ' || m.name || ' of ' || g.name
         || case when a.admin_option then ' with admin' else '' end
  from pg_auth_members a join ours m on m.oid = a.member join ours g on g.oid = a.roleid
  union all
  -- Tables and views: columns, security, constraints, indexes, definitions.
  select '2 ' || case r.relkind when 'v' then 'view ' when 'm' then 'matview ' else 'table ' end || r.relname
         || ' owner ' || coalesce((select name from ours where oid = r.relowner), pg_get_userbyid(r.relowner))
         || case when r.relrowsecurity then ' rls' else '' end
         || case when r.relforcerowsecurity then ' forced' else '' end
  from rels r
  union all
  select '2 column ' || r.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
         || case when a.attnotnull then ' not null' else '' end
         || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
  from rels r join pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped
  left join pg_attrdef d on d.adrelid = r.oid and d.adnum = a.attnum
  union all
  select '2 constraint ' || r.relname || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid)
  from rels r join pg_constraint k on k.conrelid = r.oid and k.contype <> 'n' -- 18 lists NOT NULL here too: the column says it
  union all
  select '2 index ' || pg_get_indexdef(i.indexrelid)
  from rels r join pg_index i on i.indrelid = r.oid
  union all
  -- Column references printed without their table's alias: 15 writes c.id where 16+ write id.
  select '2 definition ' || r.relname || ' '
         || regexp_replace(regexp_replace(pg_get_viewdef(r.oid, true), '\s+', ' ', 'g'), '\m[a-z]\.([a-z_])', '\1', 'g')
  from rels r where r.relkind in ('v', 'm')
  union all
  -- Row-level policies.
  select '3 policy ' || p.tablename || '.' || p.policyname || ' ' || p.permissive || ' ' || p.cmd
         || ' to ' || array_to_string(array(select case when x = $1 then '<runtime>' else x end from unnest(p.roles) x order by 1), ',')
         || coalesce(' using ' || regexp_replace(p.qual, '\s+', ' ', 'g'), '')
         || coalesce(' check ' || regexp_replace(p.with_check, '\s+', ' ', 'g'), '')
  from pg_policies p where p.schemaname = 'epic'
  union all
  -- Grants: schema, tables, columns, functions, sequences.
  select '4 grant ' || x.privilege_type || ' on schema epic to ' || w.name
  from pg_namespace n, aclexplode(n.nspacl) x join who w on w.oid = x.grantee
  where n.nspname = 'epic'
  union all
  select '4 grant ' || x.privilege_type || ' on ' || r.relname || ' to ' || w.name
  from rels r, aclexplode(r.relacl) x join who w on w.oid = x.grantee
  where x.grantee <> r.relowner -- the owner's own rights (17 adds MAINTAIN) go without saying
  union all
  select '4 grant ' || x.privilege_type || ' (' || a.attname || ') on ' || r.relname || ' to ' || w.name
  from rels r join pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped,
       aclexplode(a.attacl) x join who w on w.oid = x.grantee
  union all
  select '4 grant ' || x.privilege_type || ' on sequence ' || c.relname || ' to ' || w.name
  from pg_class c join pg_namespace n on n.oid = c.relnamespace, aclexplode(c.relacl) x join who w on w.oid = x.grantee
  where n.nspname = 'epic' and c.relkind = 'S'
  union all
  select '4 grant execute on ' || f.signature || ' to ' || w.name
  from funcs f, aclexplode(coalesce(f.proacl, acldefault('f', f.proowner))) x join who w on w.oid = x.grantee
  union all
  -- Functions: rights, settings, body.
  select '5 function ' || f.signature || ' returns ' || coalesce(pg_get_function_result(f.oid), '-')
         || case when f.prosecdef then ' security definer' else ' security invoker' end
         || ' ' || case f.provolatile when 'i' then 'immutable' when 's' then 'stable' else 'volatile' end
         || ' owner ' || coalesce((select name from ours where oid = f.proowner), pg_get_userbyid(f.proowner))
         || coalesce(' set ' || array_to_string(f.proconfig, ' '), '')
  from funcs f
  union all
  select '5 body ' || f.signature || ' md5 ' || md5(f.prosrc)
  from funcs f where f.prokind in ('f', 'p')
  union all
  -- Triggers.
  select '6 trigger ' || pg_get_triggerdef(t.oid)
  from pg_trigger t join rels r on r.oid = t.tgrelid where not t.tgisinternal
)
select line from lines order by line collate "C";

-- A grant no migration makes (the spec proves the snapshot sees it; rolled back).
-- name: strayGrant :exec
grant select on users to epic_support;

-- Migration bookkeeping, run by setup as epic_owner.

-- name: lockMigrations :exec
select pg_advisory_xact_lock(4242001);

-- name: createMigrationsTable :exec
create table if not exists schema_migrations (
  version    integer primary key,
  name       text not null,
  applied_at timestamptz not null default now()
);

-- name: appliedMigrations :many
select version, name from schema_migrations order by version;

-- name: recordMigration :exec
-- params: version, name
insert into schema_migrations (version, name) values ($1, $2);

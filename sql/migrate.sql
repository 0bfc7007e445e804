-- Migration bookkeeping, run by setup as epic_owner.

-- The migrations run one at a time: a lock on their own table, which only the
-- owner may take (sql/migrations/042 says why not an advisory lock).
-- name: lockMigrations :exec
lock table schema_migrations in share row exclusive mode;

-- checksum: the SHA-256 (hex) of the file as applied; null for a migration
-- recorded before checksums were kept (filled at the next run).
-- name: createMigrationsTable :exec
create table if not exists schema_migrations (
  version    integer primary key,
  name       text not null,
  applied_at timestamptz not null default now(),
  checksum   text
);

-- name: addMigrationChecksums :exec
alter table schema_migrations add column if not exists checksum text;

-- name: appliedMigrations :many
select version, name, checksum from schema_migrations order by version;

-- name: recordMigration :exec
-- params: version, name, checksum
insert into schema_migrations (version, name, checksum) values ($1, $2, $3);

-- A migration applied by a release that kept no checksum: the file as it is now.
-- name: recordChecksum :exec
-- params: version, checksum
update schema_migrations set checksum = $2 where version = $1 and checksum is null;

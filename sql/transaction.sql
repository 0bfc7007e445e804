-- Transaction control, used by lib/db/transaction.ts for every write and read of the shell.

-- name: begin :exec
begin;

-- name: beginReadOnly :exec
begin read only;

-- name: commit :exec
commit;

-- name: rollback :exec
rollback;

-- The transaction's id, asked just before COMMIT (null: it wrote nothing, so
-- there is nothing to commit). Should the connection be lost around the
-- COMMIT, transactionStatus says, on another connection, whether it committed.
-- name: transactionId :one
select pg_current_xact_id_if_assigned()::text as xid;

-- committed, aborted or in progress (PostgreSQL 13+).
-- name: transactionStatus :one
-- params: xid
select pg_xact_status($1::xid8) as status;

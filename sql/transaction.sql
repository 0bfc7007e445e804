-- Transaction control, used by lib/db/transaction.ts for every write and read of the shell.

-- name: begin :exec
begin;

-- name: beginReadOnly :exec
begin read only;

-- name: commit :exec
commit;

-- name: rollback :exec
rollback;

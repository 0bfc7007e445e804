-- Telling a connection pooler in transaction or statement mode (PgBouncer's
-- pool_mode = transaction), which the shell cannot work behind (lib/db/pooler.ts).
-- Each is sent unnamed (plan: per-call): behind such a pooler a statement
-- prepared on a server connection stays there for whoever gets it next.

-- The port the server itself listens on (null over a Unix socket): not the
-- one connected to means something stands between (a pooler, or a port
-- forwarded by a container), and the probe below runs.
-- name: serverPort :one
-- plan: per-call
select inet_server_port() as port;

-- The server process serving this connection now.
-- name: backendPid :one
-- plan: per-call
select pg_backend_pid() as pid;

-- name: beginProbe :exec
-- plan: per-call
begin;

-- name: endProbe :exec
-- plan: per-call
rollback;

-- Authentication: the only queries that see the password hash. They run
-- before a session has an identity, so they go through SECURITY DEFINER
-- functions (sql/migrations/003_department_roles.sql) that the login role may
-- call; it can read no table itself. Records for the shell come from
-- sql/users.sql, which never selects the hash.

-- name: credentialsByEmail :one
select id, email, "fullName", department, "tokenVersion", "passwordHash" from auth_credentials($1);

-- One primary-key lookup: what a session check needs to know about its collaborator.
-- name: sessionUser :one
select id, email, "fullName", department, "tokenVersion" from auth_session_user($1);

-- name: lockedUntil :one
select t as "lockedUntil" from auth_locked_until($1) as t where t is not null;

-- One more failure in the current window ($2 seconds long); a stale window starts over.
-- name: recordFailure :one
select auth_record_failure($1, $2) as failures;

-- Lock for $2 seconds and start counting afresh after it.
-- name: lockOut :one
select auth_lock_out($1, $2) as "lockedUntil";

-- name: clearFailures :exec
select auth_clear_failures($1);

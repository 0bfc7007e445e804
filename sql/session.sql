-- The caller's identity, first statement of every transaction the shell runs
-- (transaction-local: a pooled connection never carries it into the next one).
-- $1 is the department role (epic_management, epic_sales, epic_support): from
-- then on PostgreSQL checks that role's grants and row-level policies
-- (sql/migrations/003_department_roles.sql) against epic.user_id. The same
-- statement asserts the session is still valid ($3: the token version;
-- sql/migrations/005_session_checks.sql), failing with SQLSTATE EP001 if not.

-- (No columns: nothing to send back or decode, once per transaction.)
-- name: setIdentity :exec
select where set_config('role', $1, true) is not null
         and set_config('epic.user_id', $2, true) is not null
         and assert_session($2::integer, $3::integer, $1);

-- Revocations (new password, department, deletion) are announced here.
-- name: listenSessions :exec
listen epic_session;

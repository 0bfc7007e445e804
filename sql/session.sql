-- The caller's identity, first statement of every transaction the shell runs
-- (transaction-local: a pooled connection never carries it into the next one).
-- $1 is the department role (epic_management, epic_sales, epic_support): from
-- then on PostgreSQL checks that role's grants and row-level policies
-- (sql/migrations/003_department_roles.sql) against epic.user_id.

-- name: setIdentity :exec
select set_config('role', $1, true), set_config('epic.user_id', $2, true);

-- The caller's identity, first statement of every transaction the shell runs
-- (transaction-local: a pooled connection never carries it into the next one).
-- $1 is the department role (epic_management, epic_sales, epic_support), $2
-- the session key the login returned (sql/migrations/006_verified_sessions.sql).
-- PostgreSQL takes the collaborator only from that verified session: the
-- role's grants apply, and the row-level policies require the role to be the
-- session's own department. assert_session fails with SQLSTATE EP001 (ended)
-- or EP002 (expired) to say why, rather than leaving the policies to refuse.

-- (No columns: nothing to send back or decode, once per transaction.)
-- name: setIdentity :exec
select where set_config('role', $1, true) is not null
         and set_config('epic.session', $2, true) is not null
         and assert_session($1);

-- Revocations (logout, new password, email or department, deletion, sessions
-- ended by management) are announced here.
-- name: listenSessions :exec
listen epic_session;

-- The caller's identity, first statement of every transaction the shell runs
-- (transaction-local: a pooled connection never carries it into the next one).
-- role is the department role (epic_management, epic_sales, epic_support), sessionKey
-- the session key the login returned (sql/migrations/006_verified_sessions.sql).
-- PostgreSQL takes the collaborator only from that verified session: the
-- role's grants apply, and the row-level policies require the role to be the
-- session's own department. assert_session fails with SQLSTATE EP001 (ended)
-- or EP002 (expired) to say why, rather than leaving the policies to refuse.

-- (No columns: nothing to send back or decode, once per transaction.)
-- name: setIdentity :exec
-- params: role, sessionKey
select where set_config('role', $1, true) is not null
         and set_config('epic.session', $2, true) is not null
         and assert_session($1);

-- The same identity held by a pooled connection for its life (session level,
-- not transaction-local), for read-only single statements (Database.statement
-- with a standing identity): the connection then needs nothing more before
-- each read. Only this process uses its pool, on behalf of whoever holds the
-- session key; another key is set again before it is used.
-- name: setStandingIdentity :exec
-- params: role, sessionKey
select where set_config('role', $1, false) is not null
         and set_config('epic.session', $2, false) is not null
         and assert_session($1);

-- Why a read under a standing identity found nothing: EP001/EP002 when the
-- session ended or expired, true otherwise.
-- name: checkSession :exec
select assert_session($1);

-- Revocations (logout, new password, email or department, deletion, sessions
-- ended by management) are announced here.
-- name: listenSessions :exec
listen epic_session;

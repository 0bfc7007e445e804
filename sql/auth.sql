-- Authentication. The runtime role can read no table: these functions
-- (sql/migrations/006_verified_sessions.sql) are its only way in. No function
-- returns a password hash; the password is compared inside the database.

-- One login attempt: throttle, compare and, when right, a new session, in one
-- statement. status: ok | wrong | locked | lockedNow. ttlSeconds: the lifetime asked for.
-- verifier: the SCRAM-SHA-256 verifier of the session role's password, drawn
-- by the shell (the password itself never reaches SQL); role: the session's
-- own login role (sql/migrations/040_session_roles.sql).
-- name: login :one
-- params: email, password, ttlSeconds, verifier
select status, "sessionKey", id, email, "fullName", department, "expiresAt", "lockedUntil", installation::text as installation, role
from auth_login($1, $2, $3, $4);

-- Who a session key belongs to, until when, and which installation (no row: ended or never was).
-- name: session :one
select id, email, "fullName", department, "expiresAt", expired, installation::text as installation
from auth_session($1);

-- Why a session ended, when its holder cannot tell: 'deleted' (the account),
-- 'cap' (too many sessions), or null (sql/migrations/020_session_endings.sql).
-- name: sessionEnding :one
select auth_session_ending($1) as reason;

-- name: logout :one
select auth_logout($1) as ended;

-- A session opened by provisioning code as the owner (demo, tests, bench).
-- name: openSessionFor :one
-- params: userId, ttlSeconds, verifier
select "sessionKey", "expiresAt", installation::text as installation, role from open_session_for($1, $2, $3);

-- Management (in a collaborator's transaction).
-- name: userSessions :many
select id, "createdAt", "expiresAt", current from user_sessions($1);

-- name: endUserSessions :one
select end_user_sessions($1) as ended;

-- name: unlockLogin :one
select unlock_login($1) as unlocked;

-- One's own new password, the current one checked like a login, the new
-- one's rules checked and hashed in PostgreSQL (sql/migrations/013_standalone_trust.sql).
-- status: ok | wrong | locked | lockedNow.
-- name: changeOwnPassword :one
-- params: sessionKey, oldPassword, newPassword
select status, "lockedUntil" from auth_change_password($1, $2, $3);

-- Whether the session's collaborator must first replace a password management set.
-- name: passwordChangeDue :one
-- params: sessionKey
select auth_password_change_due($1) as due;

-- Any lockout lifted, on the administrator's connection as the owner
-- (epic-events unlock EMAIL): the way back when the only manager is locked out.
-- name: adminUnlock :one
-- params: email
select admin_unlock($1) as unlocked;

-- One's current password checked alone, like a login, before passwd() asks
-- the new one (sql/migrations/055_check_own_password.sql). status: ok | wrong | locked | lockedNow.
-- name: checkOwnPassword :one
-- params: sessionKey, password
select status, "lockedUntil" from auth_check_own_password($1, $2);

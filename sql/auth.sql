-- Authentication: the only queries that read the password hash. Records for the
-- shell come from sql/users.sql, which never selects it.

-- name: credentialsByEmail :one
select u.id, u.email, u.full_name as "fullName", d.name as department, u.token_version as "tokenVersion",
       u.password_hash as "passwordHash"
from users u join departments d on d.id = u.department_id
where lower(u.email) = lower($1);

-- One primary-key lookup: what a session check needs to know about its collaborator.
-- name: sessionUser :one
select u.id, u.email, u.full_name as "fullName", d.name as department, u.token_version as "tokenVersion"
from users u join departments d on d.id = u.department_id
where u.id = $1;

-- name: lockedUntil :one
select locked_until as "lockedUntil" from login_throttle where email = lower($1) and locked_until > now();

-- One more failure in the current window ($2 seconds long); a stale window starts over.
-- name: recordFailure :one
insert into login_throttle as t (email, failures, window_started_at)
values (lower($1), 1, now())
on conflict (email) do update set
  failures          = case when t.window_started_at > now() - make_interval(secs => $2) then t.failures + 1 else 1 end,
  window_started_at = case when t.window_started_at > now() - make_interval(secs => $2) then t.window_started_at else now() end,
  locked_until      = case when t.locked_until > now() then t.locked_until end
returning failures;

-- Lock for $2 seconds and start counting afresh after it.
-- name: lockOut :one
update login_throttle set locked_until = now() + make_interval(secs => $2), failures = 0, window_started_at = now()
where email = lower($1)
returning locked_until as "lockedUntil";

-- name: clearFailures :exec
delete from login_throttle where email = lower($1);

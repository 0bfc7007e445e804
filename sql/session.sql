-- The caller's identity, first statement of every transaction the shell runs
-- (transaction-local: a pooled connection never carries it into the next one).

-- name: setIdentity :exec
select set_config('epic.user_id', $1, true), set_config('epic.department', $2, true);

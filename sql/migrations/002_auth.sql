-- 002: authentication. Runs as epic_owner with search_path = epic.

-- Failed logins per email (lower-cased; unknown emails too, so a lockout does not
-- reveal whether an account exists). In the database so that the limit holds
-- across processes and machines.
create table login_throttle (
  email             text primary key check (email = lower(email)),
  failures          integer not null default 0 check (failures >= 0),
  window_started_at timestamptz not null default now(),
  locked_until      timestamptz
);

grant select, insert, update, delete on login_throttle to epic_runtime;

-- Revocation lives in the database, whoever updates the row: a new password or a
-- new department bumps token_version, so every token issued before stops working.
create function users_bump_token_version() returns trigger
language plpgsql as $$
begin
  if new.password_hash is distinct from old.password_hash or new.department_id is distinct from old.department_id then
    new.token_version := old.token_version + 1;
  end if;
  return new;
end $$;

create trigger users_bump_token_version
  before update on users
  for each row execute function users_bump_token_version();

-- 003: defence in depth. PostgreSQL itself enforces the department matrix.
--
-- Every transaction of the shell starts with
--   select set_config('role', 'epic_<department>', true), set_config('epic.user_id', '<id>', true)
-- (sql/session.sql). The login role is NOINHERIT and holds no table privilege of
-- its own (setup), so a statement outside such a transaction is refused, and
-- inside one the department role's column grants and the row-level policies
-- below decide. The department roles are created by setup (roles are
-- cluster-wide; the owner cannot create them).

-- Nothing is left to the old catch-all role of 001.
revoke all on all tables in schema epic from epic_runtime;
revoke all on all sequences in schema epic from epic_runtime;
revoke all on schema epic from epic_runtime;

-- The caller, as the transaction says (null outside a shell transaction).
create function current_collaborator_id() returns integer
language sql stable parallel safe
as $$ select nullif(current_setting('epic.user_id', true), '')::integer $$;

create function collaborator_in(p_user integer, p_department text) returns boolean
language sql stable security definer set search_path = epic
as $$ select exists (select 1 from users u join departments d on d.id = u.department_id where u.id = p_user and d.name = p_department) $$;

grant usage on schema epic to epic_management, epic_sales, epic_support, epic_login;
grant execute on function current_collaborator_id() to epic_management, epic_sales, epic_support;
grant execute on function collaborator_in(integer, text) to epic_management, epic_sales, epic_support;
grant select on departments to epic_management, epic_sales, epic_support;

-- Collaborators: everyone reads the public columns; the hash is for nobody but the owner.
grant select (id, employee_number, full_name, email, phone, department_id, token_version, created_at, updated_at)
  on users to epic_management, epic_sales, epic_support;
grant insert (full_name, email, phone, department_id, password_hash, employee_number) on users to epic_management;
grant update (full_name, email, phone, department_id, password_hash, updated_at) on users to epic_management;
grant delete on users to epic_management;
grant usage on sequence employee_number_seq to epic_management;

-- Read-only for everyone.
grant select on clients, contracts, events to epic_management, epic_sales, epic_support;

-- sales: their clients, their clients' contract amounts and signatures, the events of those contracts.
grant insert (full_name, email, phone, company_name, sales_contact_id) on clients to epic_sales;
grant update (full_name, email, phone, company_name, updated_at) on clients to epic_sales;
grant update (total_amount, amount_due, signed_at, updated_at, version) on contracts to epic_sales;
grant insert (contract_id, name, start_at, end_at, location, attendees, notes) on events to epic_sales;

-- support: the details of the events assigned to them, never the support contact.
grant update (name, start_at, end_at, location, attendees, notes, updated_at, version) on events to epic_support;

-- management: contracts, support contacts, and reassignment of a leaving collaborator's records.
grant insert (client_id, total_amount, amount_due, signed_at) on contracts to epic_management;
grant update (total_amount, amount_due, signed_at, updated_at, version) on contracts to epic_management;
grant update (sales_contact_id) on clients to epic_management;
grant update (support_contact_id, updated_at, version) on events to epic_management;

-- Row-level security, forced on the owner too (the owner gets an explicit policy).
alter table clients enable row level security;
alter table clients force row level security;
alter table contracts enable row level security;
alter table contracts force row level security;
alter table events enable row level security;
alter table events force row level security;

create policy clients_owner on clients to epic_owner using (true) with check (true);
create policy contracts_owner on contracts to epic_owner using (true) with check (true);
create policy events_owner on events to epic_owner using (true) with check (true);

create policy clients_read on clients for select to epic_management, epic_sales, epic_support using (true);
create policy contracts_read on contracts for select to epic_management, epic_sales, epic_support using (true);
create policy events_read on events for select to epic_management, epic_sales, epic_support using (true);

-- A salesperson creates clients for themselves and updates only their own.
create policy clients_sales_insert on clients for insert to epic_sales
  with check (sales_contact_id = current_collaborator_id());
create policy clients_sales_update on clients for update to epic_sales
  using (sales_contact_id = current_collaborator_id())
  with check (sales_contact_id = current_collaborator_id());
-- Management moves clients to another salesperson (or to nobody).
create policy clients_management_update on clients for update to epic_management
  using (true)
  with check (sales_contact_id is null or collaborator_in(sales_contact_id, 'sales'));

create policy contracts_management_insert on contracts for insert to epic_management with check (true);
create policy contracts_management_update on contracts for update to epic_management using (true) with check (true);
create policy contracts_sales_update on contracts for update to epic_sales
  using (exists (select 1 from clients c where c.id = client_id and c.sales_contact_id = current_collaborator_id()))
  with check (exists (select 1 from clients c where c.id = client_id and c.sales_contact_id = current_collaborator_id()));

-- Sales create the event of a signed contract of their own client, unassigned.
create policy events_sales_insert on events for insert to epic_sales
  with check (
    support_contact_id is null
    and exists (select 1 from contracts k join clients c on c.id = k.client_id
                where k.id = contract_id and k.signed_at is not null and c.sales_contact_id = current_collaborator_id()));
-- Support update the events assigned to them, and they stay theirs.
create policy events_support_update on events for update to epic_support
  using (support_contact_id = current_collaborator_id())
  with check (support_contact_id = current_collaborator_id());
-- Management assigns a support collaborator (or none).
create policy events_management_update on events for update to epic_management
  using (true)
  with check (support_contact_id is null or collaborator_in(support_contact_id, 'support'));

-- Authentication runs before any identity exists: narrow SECURITY DEFINER
-- functions, executable by the login role only, are its only way in.
create function auth_credentials(p_email text)
returns table (id integer, email text, "fullName" text, department text, "tokenVersion" integer, "passwordHash" text)
language sql stable security definer set search_path = epic
as $$
  select u.id, u.email, u.full_name, d.name, u.token_version, u.password_hash
  from users u join departments d on d.id = u.department_id
  where lower(u.email) = lower(p_email)
$$;

create function auth_session_user(p_id integer)
returns table (id integer, email text, "fullName" text, department text, "tokenVersion" integer)
language sql stable security definer set search_path = epic
as $$
  select u.id, u.email, u.full_name, d.name, u.token_version
  from users u join departments d on d.id = u.department_id
  where u.id = p_id
$$;

create function auth_locked_until(p_email text) returns timestamptz
language sql stable security definer set search_path = epic
as $$ select locked_until from login_throttle where email = lower(p_email) and locked_until > now() $$;

create function auth_record_failure(p_email text, p_window_seconds integer) returns integer
language sql volatile security definer set search_path = epic
as $$
  insert into login_throttle as t (email, failures, window_started_at)
  values (lower(p_email), 1, now())
  on conflict (email) do update set
    failures          = case when t.window_started_at > now() - make_interval(secs => p_window_seconds) then t.failures + 1 else 1 end,
    window_started_at = case when t.window_started_at > now() - make_interval(secs => p_window_seconds) then t.window_started_at else now() end,
    locked_until      = case when t.locked_until > now() then t.locked_until end
  returning failures
$$;

create function auth_lock_out(p_email text, p_lock_seconds integer) returns timestamptz
language sql volatile security definer set search_path = epic
as $$
  update login_throttle set locked_until = now() + make_interval(secs => p_lock_seconds), failures = 0, window_started_at = now()
  where email = lower(p_email)
  returning locked_until
$$;

create function auth_clear_failures(p_email text) returns void
language sql volatile security definer set search_path = epic
as $$ delete from login_throttle where email = lower(p_email) $$;

revoke all on function auth_credentials(text), auth_session_user(integer), auth_locked_until(text),
  auth_record_failure(text, integer), auth_lock_out(text, integer), auth_clear_failures(text) from public;
revoke all on function current_collaborator_id(), collaborator_in(integer, text) from public;
grant execute on function auth_credentials(text), auth_session_user(integer), auth_locked_until(text),
  auth_record_failure(text, integer), auth_lock_out(text, integer), auth_clear_failures(text) to epic_login;

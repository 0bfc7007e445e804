-- 001: the CRM's tables. Runs as epic_owner with search_path = epic.
-- Nothing cascades away a client, contract or event: deleting a collaborator
-- leaves their records unassigned (ON DELETE SET NULL) and the domain layer
-- reassigns them first when asked.

create extension if not exists pg_trgm;

create table departments (
  id   smallint generated always as identity primary key,
  name text not null unique check (name in ('management', 'sales', 'support'))
);

create sequence employee_number_seq;

create table users (
  id              integer generated always as identity primary key,
  -- Generated (EE00001, …) when not given.
  employee_number text not null default ('EE' || lpad(nextval('employee_number_seq')::text, 5, '0')) check (employee_number ~ '^[A-Za-z0-9-]{1,20}$'),
  full_name       text not null check (length(btrim(full_name)) between 1 and 200),
  email           text not null check (length(email) between 3 and 254 and email ~ '^[^@\s]+@[^@\s]+$'),
  phone           text check (phone is null or length(phone) <= 40),
  department_id   smallint not null references departments (id) on delete restrict,
  password_hash   text not null,
  -- Bumped when the password or department changes: older tokens stop working.
  token_version   integer not null default 1,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));
create unique index users_employee_number_key on users (employee_number);
create index users_department_idx on users (department_id);

create table clients (
  id               integer generated always as identity primary key,
  full_name        text not null check (length(btrim(full_name)) between 1 and 200),
  email            text not null check (length(email) between 3 and 254 and email ~ '^[^@\s]+@[^@\s]+$'),
  phone            text check (phone is null or length(phone) <= 40),
  company_name     text check (company_name is null or length(company_name) <= 200),
  -- created_at is the first contact; updated_at the last update/contact.
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  sales_contact_id integer references users (id) on delete set null
);
create unique index clients_email_key on clients (lower(email));
create index clients_sales_contact_idx on clients (sales_contact_id, id);
create index clients_unassigned_idx on clients (id) where sales_contact_id is null;

create table contracts (
  id           integer generated always as identity primary key,
  client_id    integer not null references clients (id) on delete restrict,
  total_amount numeric(12, 2) not null check (total_amount >= 0),
  amount_due   numeric(12, 2) not null,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  signed_at    timestamptz,
  -- Optimistic concurrency: bumped by every update.
  version      integer not null default 1,
  constraint contracts_amount_due_range check (amount_due >= 0 and amount_due <= total_amount)
);
create index contracts_client_idx on contracts (client_id, id);
create index contracts_unsigned_idx on contracts (id) where signed_at is null;
create index contracts_unpaid_idx on contracts (id) where amount_due > 0;

create table events (
  id                 integer generated always as identity primary key,
  contract_id        integer not null references contracts (id) on delete restrict,
  name               text not null check (length(btrim(name)) between 1 and 200),
  start_at           timestamptz not null,
  end_at             timestamptz not null,
  support_contact_id integer references users (id) on delete set null,
  location           text not null check (length(btrim(location)) between 1 and 500),
  attendees          integer not null check (attendees >= 0),
  notes              text check (notes is null or length(notes) <= 10000),
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  version            integer not null default 1,
  constraint events_end_after_start check (end_at > start_at)
);
-- A signed contract has one event.
create unique index events_contract_key on events (contract_id);
create index events_support_contact_idx on events (support_contact_id, id);
create index events_unassigned_idx on events (id) where support_contact_id is null;
create index events_start_idx on events (start_at, id);

-- The runtime login role is granted epic_runtime; it gets DML only, no DDL,
-- no TRUNCATE, and DELETE only on collaborators (nobody deletes CRM records).
grant usage on schema epic to epic_runtime;
grant select on departments to epic_runtime;
grant usage on sequence employee_number_seq to epic_runtime;
grant select, insert, update, delete on users to epic_runtime;
grant select, insert, update on clients, contracts, events to epic_runtime;

-- Used by the test suite only (spec/support): known state between tests, and a
-- fingerprint of every table to prove a refused call changed nothing.

-- name: resetData :exec
truncate follow_ups, events, contracts, clients, sessions, users, login_attempts, change_log,
        report_signed_totals, report_pipeline_totals, report_client_balances, trash, client_imports,
        session_endings restart identity;

-- Every session role of the test database whose session is gone (after resetData's truncate).
-- name: sweepSessionRoles :exec
select sweep_session_roles();

-- name: installationId :one
select id::text as id from installation;

-- name: fingerprint :one
select (select count(*) from users)     as users,
       (select count(*) from clients)   as clients,
       (select count(*) from contracts) as contracts,
       (select count(*) from events)    as events,
       md5((select coalesce(string_agg(t::text, '|' order by t.id), '') from users t)
        || (select coalesce(string_agg(t::text, '|' order by t.id), '') from clients t)
        || (select coalesce(string_agg(t::text, '|' order by t.id), '') from contracts t)
        || (select coalesce(string_agg(t::text, '|' order by t.id), '') from events t)
        || (select coalesce(string_agg(t::text, '|' order by t.id), '') from login_attempts t)
        || (select coalesce(string_agg(concat_ws(',', t.id, t.user_id, t.expires_at), '|' order by t.id), '') from sessions t)
        || (select coalesce(string_agg(t::text, '|' order by t.id), '') from change_log t)
        || (select coalesce(string_agg(t::text, '|' order by t.sales_contact_id, t.day), '') from report_signed_totals t)
        || (select coalesce(string_agg(t::text, '|' order by t.sales_contact_id), '') from report_pipeline_totals t)
        || (select coalesce(string_agg(t::text, '|' order by t.client_id), '') from report_client_balances t)
        || (select coalesce(string_agg(t::text, '|' order by t.id), '') from follow_ups t)
        || (select coalesce(string_agg(t::text, '|' order by t.id), '') from trash t)
        || (select coalesce(string_agg(t::text, '|' order by t.id), '') from client_imports t)) as digest;

-- A lockout that ran out: the throttle test cannot wait 15 minutes.
-- name: expireLockout :exec
update login_attempts set locked_until = now() - interval '1 second' where email = lower($1) and outcome = 'lockout';

-- name: dropDatabase :exec
drop database if exists %I with (force);

-- Statements the runtime role must be refused (spec/db/runtime-role.spec.ts).
-- name: runtimeDropTable :exec
drop table clients;

-- name: runtimeCreateTable :exec
create table x ();

-- name: runtimeCreateInPublic :exec
create table public.x ();

-- name: runtimeTruncate :exec
truncate contracts;

-- name: runtimeAlterTable :exec
alter table users add column is_admin boolean;

-- name: runtimeDeleteClients :exec
delete from clients;

-- name: runtimeReadOwnRole :one
select rolsuper, rolcreaterole, rolcreatedb, rolbypassrls from pg_roles where rolname = current_user;

-- Fixtures (spec/support/fixtures.ts): records inserted directly, with exact
-- owners, signatures and assignments, so each test builds its world quickly.
-- name: fixtureUser :one
insert into users (full_name, email, department_id, password_hash)
select $1, $2, d.id, $4 from departments d where d.name = $3
returning id;

-- First contact a day ago, so an update's new "last contact" is visibly later.
-- name: fixtureClient :one
insert into clients (full_name, email, phone, company_name, sales_contact_id, created_at, updated_at)
values ($1, $2, $3, $4, $5, now() - interval '1 day', now() - interval '1 day')
returning id;

-- name: fixtureContract :one
insert into contracts (client_id, total_amount, amount_due, signed_at)
values ($1, $2::numeric, $3::numeric, case when $4::boolean then now() end)
returning id;

-- name: fixtureEvent :one
insert into events (contract_id, name, start_at, end_at, location, attendees, support_contact_id)
values ($1, $2, $3, $4, $5, $6, $7)
returning id;

-- Bulk rows for pagination and plan checks: $1 clients of sales contact $2,
-- every one with a contract (every third signed, every second unpaid) and an
-- event for the signed ones (every fourth assigned to support $3).
-- name: fixtureBulk :exec
with new_clients as (
  insert into clients (full_name, email, sales_contact_id)
  select 'Bulk client ' || g, 'bulk' || g || '@example.com', $2 from generate_series(1, $1) g
  returning id
), new_contracts as (
  insert into contracts (client_id, total_amount, amount_due, signed_at)
  select id, 1000, case when id % 2 = 0 then 500 else 0 end, case when id % 3 = 0 then now() end from new_clients
  returning id, signed_at
)
insert into events (contract_id, name, start_at, end_at, location, attendees, support_contact_id)
select id, 'Bulk event ' || id, now(), now() + interval '2 hours', 'Somewhere', 10, case when id % 4 = 0 then $3::integer end
from new_contracts where signed_at is not null;

-- name: contractVersion :one
select version from contracts where id = $1;

-- name: eventVersion :one
select version from events where id = $1;

-- Fixtures of the authentication and collaborator tests (spec/support/users.ts), run as owner.
-- name: authFixtureOwners :many
select 'client' as kind, id, sales_contact_id as "ownerId" from clients
union all
select 'event', id, support_contact_id from events
order by kind, id;

-- name: endSessionsOf :exec
delete from sessions where user_id = $1;

-- Raw inserts for constraint probes (spec/db/constraints.spec.ts), run as the owner.
-- name: rawInsertUser :one
insert into users (full_name, email, phone, department_id, password_hash, employee_number)
values ($1, $2, $3, (select id from departments where name = $4), '$2b$04$ejHBtpv5mkoYU3qqaU66/OMZJB8vD9.ymuQZeToTLufbZ0WTU2J0K', coalesce($5, 'EE' || lpad(nextval('employee_number_seq')::text, 5, '0')))
returning id;

-- name: rawInsertClient :one
insert into clients (full_name, email, phone, company_name, sales_contact_id) values ($1, $2, $3, $4, $5) returning id;

-- name: rawInsertContract :one
insert into contracts (client_id, total_amount, amount_due, signed_at) values ($1, $2, $3, $4) returning id;

-- name: rawInsertEvent :one
insert into events (contract_id, name, start_at, end_at, support_contact_id, location, attendees, notes)
values ($1, $2, $3, $4, $5, $6, $7, $8) returning id;

-- name: rawDeleteUser :exec
delete from users where id = $1;

-- name: rawDeleteClient :exec
delete from clients where id = $1;

-- name: rawDeleteContract :exec
delete from contracts where id = $1;

-- What the trash holds, in the order it was put there (spec/db/constraints.spec.ts).
-- name: trashedRecords :many
select object, record_id as "recordId", went_with is not null as "wentWith" from trash order by id;

-- name: rawClientSalesContact :one
select sales_contact_id from clients where id = $1;

-- name: rawEventSupportContact :one
select support_contact_id from events where id = $1;

-- name: rawIndexes :many
select indexname, indexdef from pg_indexes where schemaname = 'epic' order by indexname;

-- name: rawColumnTypes :many
select table_name, column_name, data_type, numeric_precision, numeric_scale, is_nullable
from information_schema.columns where table_schema = 'epic' order by table_name, ordinal_position;

-- name: migrationsApplied :many
select version, name from schema_migrations order by version;

-- name: usersByDepartment :many
select u.email, d.name as department, u.password_hash like '$2%' as bcrypt from users u join departments d on d.id = u.department_id order by u.id;

-- name: departmentNames :many
select name from departments order by name;

-- Raw statements of refused matrix cells, run on the runtime connection under a
-- department's identity, bypassing the TypeScript checks (spec/security).
-- name: bypassInsertClient :exec
insert into clients (full_name, email, sales_contact_id) values ('Bypass', $1, $2);

-- name: bypassUpdateClientName :exec
update clients set full_name = 'Bypassed' where id = $1;

-- name: bypassReassignClient :exec
update clients set sales_contact_id = $2 where id = $1;

-- name: bypassDeleteClient :exec
delete from clients where id = $1;

-- name: bypassInsertContract :exec
insert into contracts (client_id, total_amount, amount_due) values ($1, 100, 100);

-- name: bypassUpdateContractAmount :exec
update contracts set amount_due = 0 where id = $1;

-- name: bypassSignContract :exec
update contracts set signed_at = now() where id = $1 and signed_at is null;

-- name: bypassMoveContract :exec
update contracts set client_id = $2 where id = $1;

-- name: bypassDeleteContract :exec
delete from contracts where id = $1;

-- name: bypassInsertEvent :exec
insert into events (contract_id, name, start_at, end_at, location, attendees)
values ($1, 'Bypass', now(), now() + interval '1 hour', 'Nowhere', 1);

-- name: bypassInsertAssignedEvent :exec
insert into events (contract_id, name, start_at, end_at, location, attendees, support_contact_id)
values ($1, 'Bypass', now(), now() + interval '1 hour', 'Nowhere', 1, $2);

-- name: bypassUpdateEventNotes :exec
update events set notes = 'Bypassed' where id = $1;

-- name: bypassAssignEvent :exec
update events set support_contact_id = $2 where id = $1;

-- name: bypassDeleteEvent :exec
delete from events where id = $1;

-- name: bypassInsertUser :exec
insert into users (full_name, email, department_id, password_hash) values ('Bypass', $1, 1, 'x');

-- name: bypassUpdateUser :exec
update users set full_name = 'Bypassed' where id = $1;

-- name: bypassDeleteUser :exec
delete from users where id = $1;

-- name: bypassReadHashes :many
select password_hash from users;

-- name: bypassReadClients :many
select id from clients;

-- name: bypassReadThrottle :many
select * from login_attempts;

-- name: bypassSignThroughFunction :exec
select from sign_contract($1) k;

-- name: bypassUnsignContract :exec
update contracts set signed_at = null where id = $1;

-- name: bypassBackdateContract :exec
update contracts set signed_at = '2001-01-01' where id = $1;

-- name: bypassSetContractVersion :exec
update contracts set version = -5 where id = $1;

-- name: bypassSetEventVersion :exec
update events set version = -5 where id = $1;

-- name: bypassSetHash :exec
update users set password_hash = $2 where id = $1;

-- name: bypassMoveUser :exec
update users set department_id = (select id from departments where name = $2) where id = $1;

-- name: bypassBecomeOwner :exec
select set_config('role', 'epic_owner', true);

-- Something slow to cancel (spec/db/cancel.spec.ts): Ctrl+C must stop it on the server.
-- name: sleepSeconds :one
select pg_sleep($1::float8) as slept;

-- A COPY … TO STDOUT whose rows come slowly, a row every 10 ms (spec/db/cancel.spec.ts), large
-- enough that the server's 8 kB output buffer sends some every few rows.
-- name: copySlowly :exec
copy (select g, repeat('x', 200), pg_sleep(0.01) from generate_series(1, 1000) g) to stdout;

-- name: activeSleeps :one
select count(*)::int as n from pg_stat_activity
where state = 'active' and query like '%pg_sleep($1::float8)%' and pid <> pg_backend_pid();

-- A sleep whose client is gone runs on until it ends: cancel it (spec/db/driver.spec.ts).
-- (Chosen first, then cancelled: this statement's own text matches too.)
-- name: cancelSleeps :one
with sleeping as materialized (
  select pid from pg_stat_activity
  where state = 'active' and query like '%pg_sleep($1::float8)%' and pid <> pg_backend_pid()
)
select count(*)::int as n from sleeping where pg_cancel_backend(pid);

-- A runaway query (spec/reliability/statement-timeout.spec.ts): sleeps $1 seconds.
-- name: slowQuery :one
select true as slept from pg_sleep($1::double precision);

-- The runtime role's own settings in this database (statement_timeout from setup).
-- name: runtimeRoleSettings :one
select s.setconfig as settings
from pg_db_role_setting s
join pg_roles r on r.oid = s.setrole
join pg_database d on d.oid = s.setdatabase
where r.rolname = $1 and d.datname = current_database();

-- Concurrent edits (spec/reliability/concurrent-edits.spec.ts): a third session
-- holds the row so both writers are provably waiting on it at the same time.
-- name: holdContract :one
select id from contracts where id = $1 for update;

-- name: holdEvent :one
select id from events where id = $1 for update;

-- Collaborators' backends: the runtime role ($1) or a session's own role (sql/migrations/040).
-- name: lockWaiters :one
select count(*) as waiting from pg_stat_activity
where datname = current_database() and wait_event_type = 'Lock' and (usename = $1 or usename like 'epic\_s\_%');

-- name: contractRow :one
select total_amount::text as "totalAmount", amount_due::text as "amountDue", version from contracts where id = $1;

-- name: eventRow :one
select name, location, notes, attendees, version from events where id = $1;

-- Clients in insertion order, whole (spec/reliability/kill-batch.spec.ts).
-- name: batchClients :many
select id, full_name as "fullName", email, phone, company_name as "companyName", sales_contact_id as "salesContactId"
from clients order by id;

-- name: clientCount :one
select count(*) as n from clients;

-- name: preparedStatements :many
-- plan: per-call
select name from pg_prepared_statements order by name;

-- Attacks with the runtime credentials (spec/security/sessions.spec.ts).
-- What the connected role may call in schema epic (extensions' and trigger functions aside).
-- name: attackListFunctions :many
select p.proname as name from pg_proc p
where p.pronamespace = 'epic'::regnamespace
  and p.prorettype <> 'trigger'::regtype
  and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
  and has_function_privilege(current_user, p.oid, 'execute')
order by 1;

-- name: attackThrottleRows :many
select email from epic.login_attempts;

-- name: attackExpireSessions :exec
update epic.sessions set expires_at = now() - interval '1 second' where user_id = $1;

-- Rewriting history (spec/crm/history.spec.ts): every one refused.
-- name: historyUpdate :exec
update change_log set actor_name = 'Someone else';

-- name: historyDelete :exec
delete from change_log;

-- name: historyTruncate :exec
truncate change_log;

-- name: historyInsert :exec
insert into change_log (actor_name, object, record_id, action) values ('Forged', 'client', 1, 'created');

-- The rows a load test wrote (spec/reliability/local-state.spec.ts), in id order.
-- name: clientsByEmailSuffix :many
select email, id from clients where email like '%' || $1 order by id;

-- Ctrl+C tells the truth (spec/reliability/interrupt.spec.ts).
-- A third session holds a client so an update waits on it.
-- name: holdClient :one
select id from clients where id = $1 for update;

-- A COMMIT that waits after it committed locally: with synchronous_commit on
-- and a synchronous standby that never comes, COMMIT waits for it; a cancel
-- ends the wait with the transaction committed. Set on the server (superuser),
-- asked for by a test-only trigger on clients (as the owner), undone after.
-- name: awaitGhostStandby :exec
alter system set synchronous_standby_names = 'epic_test_no_such_standby';

-- name: forgetGhostStandby :exec
alter system reset synchronous_standby_names;

-- name: reloadServerConfig :one
select pg_reload_conf() as reloaded;

-- name: standbyNames :one
select current_setting('synchronous_standby_names') as names;

-- name: createSyncCommitFunction :exec
create function test_sync_commit() returns trigger language plpgsql as $$
begin
  perform set_config('synchronous_commit', 'on', true);
  return new;
end $$;

-- name: createSyncCommitTrigger :exec
create trigger test_sync_commit before update on clients for each row execute function test_sync_commit();

-- name: dropSyncCommitTrigger :exec
drop trigger if exists test_sync_commit on clients;

-- name: dropSyncCommitFunction :exec
drop function if exists test_sync_commit();

-- name: syncRepWaiters :one
select count(*) as waiting from pg_stat_activity
where datname = current_database() and wait_event = 'SyncRep' and (usename = $1 or usename like 'epic\_s\_%');

-- name: clientPhone :one
select phone from clients where id = $1;

-- A role whose password is a SCRAM verifier (spec/db/scram.spec.ts); identifiers and the verifier by pg-format.
-- name: scramRole :exec
create role %I login password %L;

-- name: dropScramRole :exec
drop role if exists %I;

-- Who the database takes the caller to be (spec/db/statement.spec.ts).
-- name: whoAmI :one
select current_collaborator_id() as id, session_department() as department;

-- An email locked out as five failed logins would (spec/crm/permissions.spec.ts: users.unlock).
-- name: lockOutEmail :exec
insert into login_attempts (email, outcome, locked_until) values (lower($1), 'lockout', now() + interval '15 minutes');

-- Provisioning (spec/program/commands/setup.spec.ts, spec/program/provision.spec.ts).
-- name: epicSchemaExists :one
select exists (select from pg_namespace where nspname = 'epic') as exists;

-- A login role without CREATEDB, for setup's refusal (values through settings, as in sql/setup.sql).
-- name: useTestRole :exec
select set_config('epic.test_role', $1, true), set_config('epic.test_password', $2, true);

-- name: createTestLoginRole :exec
do $$
begin
  execute format('create role %I login nocreatedb nocreaterole password %L', current_setting('epic.test_role'), current_setting('epic.test_password'));
end $$;

-- Identifier filled by pg-format (%I).
-- name: dropTestRole :exec
drop role if exists %I;

-- name: databaseNamed :many
select datname from pg_database where datname = $1;

-- What the runtime role holds through its memberships ($1: the role).
-- name: runtimeRoleReach :one
select pg_has_role($1, 'epic_login', 'USAGE')                     as uses_login,
       pg_has_role($1, 'epic_sales', 'MEMBER')                    as may_become_sales,
       pg_has_role($1, 'epic_sales', 'USAGE')                     as inherits_sales,
       pg_has_role($1, 'epic_management', 'USAGE')                as inherits_management,
       pg_has_role($1, 'epic_support', 'USAGE')                   as inherits_support,
       has_table_privilege($1, 'epic.clients', 'SELECT')          as reads_clients,
       has_schema_privilege($1, 'epic', 'USAGE')                  as uses_schema;

-- How setups before epic_departments left the login role (epic.test_role): the
-- department roles granted to it directly, NOINHERIT doing the rest.
-- name: legacyRuntimeGrants :exec
do $$
declare
  r text := current_setting('epic.test_role');
begin
  execute format('alter role %I noinherit', r);
  execute format('revoke epic_departments from %I', r);
  execute format('grant epic_management, epic_sales, epic_support to %I', r);
end $$;

-- name: directDepartmentGrants :many
select r.rolname from pg_auth_members m join pg_roles r on r.oid = m.roleid
where m.member = $1::regrole and r.rolname in ('epic_management', 'epic_sales', 'epic_support') order by 1;

-- TLS on the test server for spec/db/tls.spec.ts: the certificate and key are
-- written into its data directory under these fixed names (relative paths are
-- the data directory's). ALTER SYSTEM runs outside a transaction, one statement
-- each; reloadServerConfig (above) applies them.
-- name: dataDirectory :one
select current_setting('data_directory') as dir;

-- name: tlsCertFile :exec
alter system set ssl_cert_file = 'epic-test-tls.crt';

-- name: tlsKeyFile :exec
alter system set ssl_key_file = 'epic-test-tls.key';

-- name: tlsOn :exec
alter system set ssl = on;

-- name: tlsReset :exec
alter system reset ssl;

-- name: tlsCertFileReset :exec
alter system reset ssl_cert_file;

-- name: tlsKeyFileReset :exec
alter system reset ssl_key_file;

-- name: tlsSetting :one
select current_setting('ssl') as ssl;

-- name: configurationErrors :many
select name, error from pg_file_settings where error is not null;

-- Read by the test's superuser for the connection's pid: setup closes
-- pg_stat_ssl's function (pg_stat_get_activity) to the runtime role.
-- name: connectionPid :one
select pg_backend_pid() as pid;

-- name: connectionUsesTls :one
select ssl, version from pg_stat_ssl where pid = $1;

-- Who a transaction runs as, and how (spec/db/transaction.spec.ts).
-- name: transactionRole :one
select current_user::text as role, current_setting('search_path') as "searchPath", current_setting('transaction_read_only') as "readOnly";

-- The search and sort views of 008, read raw (spec/crm/search.spec.ts).
-- name: bypassReadSearchViews :one
select (select count(*) from client_find)::integer as clients, (select count(*) from event_find)::integer as events,
       (select count(*) from contract_order)::integer as contracts;

-- A department role and someone's session key set by hand, without the
-- prelude's assert_session (the views must still check the pair).
-- name: bypassActAs :exec
select set_config('role', $1, true), set_config('epic.session', $2, true);

-- Reports (spec/crm/reports.spec.ts): a signature at a chosen time, and the
-- report totals as the triggers left them vs as rebuilt from the contracts.
-- name: setSignedAt :exec
-- params: id, signedAt
update contracts set signed_at = $2 where id = $1;

-- name: reportTotals :one
select (select coalesce(jsonb_agg(t order by t.sales_contact_id, t.day), '[]') from report_signed_totals t where t.contracts <> 0) as signed,
       (select coalesce(jsonb_agg(t order by t.sales_contact_id), '[]') from report_pipeline_totals t where t.contracts <> 0) as pipeline,
       (select coalesce(jsonb_agg(t order by t.client_id), '[]') from report_client_balances t where t.contracts <> 0) as balances;

-- name: rebuildReportTotals :exec
select report_totals_rebuild();

-- Raw statements for spec/security/payments-reports.spec.ts (payments, reports, release).
-- name: bypassPay :one
-- params: id, amount
select k.amount_due::text as due from pay_contract($1, $2::numeric) k;

-- The row pay_contract() returns (050): the contract as the payment left it.
-- name: bypassPayRow :one
-- params: id, amount
select k.id, k.client_id as "clientId", k.total_amount::text as total, k.amount_due::text as due
from pay_contract($1, $2::numeric) k;

-- The rows sign_contract() returns (075): the contract as its signature left it,
-- one when this call signed it, none otherwise.
-- name: bypassSignRow :many
-- params: id
select k.id, k.client_id as "clientId", k.signed_at = now() as "signedNow", k.updated_at = now() as "updatedNow"
from sign_contract($1) k;

-- name: bypassReadReportSigned :many
select sales_contact_id as "salesContactId", contracts from report_signed;

-- name: bypassReadReportContracts :many
select client_id as "clientId" from report_contracts;

-- name: bypassReadReportBalances :many
select client_id as "clientId" from report_balances;

-- name: bypassWriteReportTotals :exec
update report_signed_totals set signed_total = 0;

-- name: bypassReadReportTotals :many
select * from report_signed_totals;

-- name: bypassRebuildReports :exec
select report_totals_rebuild();

-- name: contractAmountDue :one
-- params: id
select amount_due::text as due from contracts where id = $1;

-- Leave a collaborator's clients and events unassigned (what {unassign: true} does).
-- name: rawReleaseHoldings :exec
with c as (update clients set sales_contact_id = null where sales_contact_id = $1)
update events set support_contact_id = null where support_contact_id = $1;

-- Own passwords (spec/auth/own-password.spec.ts, sql/migrations/010).
-- name: passwordState :one
-- params: id
select md5(u.password_hash) as hash, u.must_change_password as "mustChange",
       (select count(*)::int from sessions s where s.user_id = u.id) as sessions
from users u where u.id = $1;

-- name: bypassClearPasswordFlag :exec
-- params: id
update users set must_change_password = false where id = $1;

-- name: bypassSetHashOf :exec
-- params: id, hash
update users set password_hash = $2 where id = $1;

-- Timestamps as the server prints them in a time zone, and as read
-- (spec/db/timestamp.spec.ts).
-- name: setTimeZone :exec
-- params: zone
select set_config('TimeZone', $1, true);

-- name: timestampSamples :many
select t::text as text, t as read
from unnest(array['2026-06-04 13:00:00.123456+00', '2026-06-04 13:00:00+00', '2024-02-29 23:59:59.5+00',
                  '1900-01-01 00:00:00+00', '0044-03-15 12:00:00+00', '0044-03-15 12:00:00+00 BC',
                  '12026-01-01 00:00:00+00', 'infinity', '-infinity', '2026-03-29 01:30:00+00',
                  '1999-12-31 23:59:59.999999+00']::timestamptz[]) as t;

-- One value of each kind, read as text (spec/db/texts.spec.ts).
-- name: textKinds :many
select 7::integer as int, 9007199254740993::bigint as big, 1.50::numeric as amount, true as yes, false as no,
       '2026-06-04 13:00:00.123456+00'::timestamptz as at, '{"b": [1, "x"], "a": null}'::jsonb as doc,
       'a "quoted", text' as words, null::text as nothing;


-- A connection lost around COMMIT (spec/reliability/lost-commit.spec.ts):
-- the backends of the runtime role waiting in COMMIT, ended by an administrator.
-- name: terminateSyncRepWaiters :one
select count(pg_terminate_backend(pid)) as ended from pg_stat_activity
where datname = current_database() and wait_event = 'SyncRep' and (usename = $1 or usename like 'epic\_s\_%');

-- A COMMIT that waits before it commits: a deferred constraint trigger on
-- clients takes an advisory lock the test holds.
-- name: createCommitGateFunction :exec
-- Security definer: it runs as the administrator who creates it, since setup
-- closes advisory locks to the collaborators (lib/program/harden.ts).
create function test_commit_gate() returns trigger language plpgsql security definer set search_path = pg_catalog as $$
begin
  perform pg_advisory_xact_lock(2828);
  return null;
end $$;

-- name: createCommitGateTrigger :exec
create constraint trigger test_commit_gate after update on clients deferrable initially deferred
for each row execute function test_commit_gate();

-- name: dropCommitGateTrigger :exec
drop trigger if exists test_commit_gate on clients;

-- name: dropCommitGateFunction :exec
drop function if exists test_commit_gate();

-- name: holdCommitGate :exec
select pg_advisory_lock(2828);

-- name: releaseCommitGate :exec
select pg_advisory_unlock(2828);

-- name: commitGateWaiters :one
select count(*) as waiting from pg_stat_activity
where datname = current_database() and wait_event_type = 'Lock' and wait_event = 'advisory' and (usename = $1 or usename like 'epic\_s\_%');

-- name: terminateCommitGateWaiters :one
select count(pg_terminate_backend(pid)) as ended from pg_stat_activity
where datname = current_database() and wait_event_type = 'Lock' and wait_event = 'advisory' and (usename = $1 or usename like 'epic\_s\_%');

-- Sessions ended under their holder (spec/reliability/session-endings.spec.ts).
-- name: openSessionCount :one
select count(*)::int as n from sessions where user_id = $1;

-- name: deleteCollaborator :exec
delete from users where id = $1;

-- Follow-ups (spec/security/follow-ups.spec.ts): what an attacker holding the
-- runtime credentials would try under their own department's session.
-- name: bypassInsertFollowUp :exec
insert into follow_ups (client_id, due_at, note) values ($1, now(), 'raw');

-- name: bypassInsertFollowUpAs :exec
insert into follow_ups (client_id, set_by, due_at, note) values ($1, $2, now(), 'raw');

-- name: bypassReadFollowUps :many
select * from follow_ups;

-- name: bypassBackdateFollowUpDone :exec
update follow_ups set done_at = now() - interval '3 days', done_by = current_collaborator_id() where id = $1;

-- name: bypassFollowUpDoneAs :exec
update follow_ups set done_at = now(), done_by = $2 where id = $1;

-- name: bypassRewriteFollowUpNote :exec
update follow_ups set note = 'rewritten' where id = $1;

-- name: bypassReopenFollowUp :exec
update follow_ups set done_at = null, done_by = null where id = $1;

-- name: bypassDeleteFollowUp :exec
delete from follow_ups where id = $1;

-- name: bypassFollowUpDone :exec
update follow_ups set done_at = now(), done_by = current_collaborator_id() where id = $1;

-- name: addFollowUp :one
insert into follow_ups (client_id, set_by, due_at, note) values ($1, $2, $3, $4) returning id;

-- The trash (026), raw.
-- name: bypassRestore :exec
select restore_record($1, $2);

-- What restore_record returns: the restored table row (sql/migrations/076).
-- name: restoreRecordRow :one
select restore_record($1, $2) as row;

-- name: bypassEmptyTrash :exec
select empty_trash('0 days');

-- name: bypassReadTrash :many
select * from trash;

-- name: bypassInsertTrash :exec
insert into trash (object, record_id, record, deleted_by_name) values ('client', 1, '{}', 'x');

-- name: bypassDeleteTrash :exec
delete from trash;

-- Undo (027), raw.
-- name: bypassUndo :exec
select undo_change($1);

-- An update with epic.undo_of set by hand: not an undo of that entry.
-- name: bypassForgeUndoLabel :exec
with s as (select set_config('epic.undo_of', $1, true))
update clients set company_name = $3, updated_at = now() from s where id = $2;

-- A collaborator's update with epic.undo_of set by hand (046): not an undo of that entry.
-- name: bypassForgeUserUndoLabel :exec
with s as (select set_config('epic.undo_of', $1, true))
update users set phone = $3, updated_at = now() from s where id = $2;

-- An import's label and note forged with the settings 027 used to read (047).
-- name: bypassSetImportSettings :exec
select set_config('epic.change_action', 'imported', true), set_config('epic.change_note', $1, true);

-- name: bypassInsertOwnClient :one
insert into clients (full_name, email, sales_contact_id) values ($1, $2, current_collaborator_id()) returning id;

-- name: bypassBeginImport :one
select begin_import($1) as id;

-- name: bypassImportLogged :exec
select import_logged($1, $2::integer[]);

-- One client of one's own inserted beside a real import_clients() call, in the same statement.
-- name: bypassInsertBesideImport :one
with mine as (insert into clients (full_name, email, sales_contact_id) values ($1, $2, current_collaborator_id()) returning id)
select (select id from mine) as mine,
       import_clients($3, array[$4]::text[], array[$5]::text[], array[null]::text[], array[null]::text[],
                      array[current_collaborator_id()], array[null]::text[], false) as imported;

-- name: bypassClientEntries :many
select l.record_id as "recordId", l.action, l.note from change_log l where l.object = 'client' and l.record_id = any($1::integer[]) order by l.id;

-- Erasure (028), raw.
-- name: bypassErase :exec
select erase_client($1);

-- name: bypassPersonalData :exec
select client_personal_data($1);

-- Every place a text is readable (any case), as the caller reads the tables.
-- name: bypassFindText :many
select place from (
  select 'clients ' || c.id as place, c::text as body from clients c
  union all select 'contracts ' || k.id, k::text from contracts k
  union all select 'events ' || e.id, e::text from events e
  union all select 'change_log ' || l.id, l::text from change_log l
  union all select 'trash ' || t.id, t::text from trash t
  union all select 'client_imports ' || i.id, i::text from client_imports i
  union all select 'follow_ups ' || f.id, f::text from follow_ups f
  union all select 'client_search ' || s.id, s::text from client_search s
  union all select 'client_find ' || f.id, f::text from client_find f
) x
where lower(body) like '%' || lower($1) || '%';
-- What migrate recorded (spec/db/migrate.spec.ts).
-- name: appliedMigrationChecksums :many
select version, checksum from epic.schema_migrations order by version;

-- Typed SQL (spec/db/typed-sql.spec.ts): the search path the product's roles
-- have (sql/setup.sql), and two statements the Describe probe is tried on.
-- name: searchPathEpic :exec
set search_path = epic;

-- name: describeProbe :one
-- params: n, label
select $1::integer + 1 as "next", $2::text as label;

-- name: describeUnknownColumn :one
select no_such_column from epic.clients;

-- Session roles (spec/security/session-roles.spec.ts, sql/migrations/040):
-- this installation's (the 12 hex of its id), their connection limit, the
-- per-collaborator bound, and the verifier the server keeps (superuser only).
-- name: sessionRoles :many
select rolname as role from pg_roles where rolname like 'epic\_s\_' || $1 || '\_%' order by rolname;

-- name: roleValidUntil :one
select rolvaliduntil as until from pg_roles where rolname = $1;

-- name: sessionRoleLimits :one
select rolconnlimit as k from pg_roles where rolname = $1;

-- name: setSessionBounds :exec
update team_settings set sessions_per_user = $1;

-- name: isSuperuser :one
select rolsuper as superuser from pg_roles where rolname = current_user;

-- name: rolePassword :one
select rolpassword as verifier from pg_authid where rolname = $1;

-- What hardenCatalog (sql/setup.sql) revokes from PUBLIC, given back for a
-- test that must hold without it, and taken again.
-- name: reopenCatalog :exec
do $$
begin
  grant execute on function pg_catalog.pg_terminate_backend(integer, bigint), pg_catalog.pg_cancel_backend(integer), pg_catalog.pg_stat_get_activity(integer) to public;
  grant select on pg_catalog.pg_stat_activity to public;
end $$;

-- name: rehardenCatalog :exec
do $$
begin
  revoke execute on function pg_catalog.pg_terminate_backend(integer, bigint), pg_catalog.pg_cancel_backend(integer), pg_catalog.pg_stat_get_activity(integer) from public;
  revoke select on pg_catalog.pg_stat_activity from public;
end $$;

-- Setup's and the migrations' old advisory locks, opened to PUBLIC as on a
-- server where setup was no superuser (spec/security/setup-locks.spec.ts), and closed again.
-- name: reopenAdvisoryLocks :exec
grant execute on function pg_catalog.pg_advisory_lock(bigint) to public;

-- name: recloseAdvisoryLocks :exec
revoke execute on function pg_catalog.pg_advisory_lock(bigint) from public;

-- The security model (spec/db/security-model.spec.ts): what a hand on the
-- owner's connection might change, each undone by the next setup.
-- name: handMadeSecurity :exec
do $$
begin
  grant select on users to epic_support;
  grant select on trash to public;
  grant execute on function empty_trash(interval) to epic_sales;
  grant update (signed_at) on contracts to epic_sales;
  create policy hand_made on clients for update to epic_support using (true) with check (true);
  drop policy clients_read on clients;
  alter table events no force row level security;
end $$;

-- Our functions (not the extensions') and the policies, by name.
-- name: functionNames :many
select distinct p.proname as name
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname = 'epic'
  and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
order by 1;

-- name: policyNames :many
select tablename || '.' || policyname as name from pg_policies where schemaname = 'epic' order by 1;

-- Privileges in schema epic held by a role other than the object's owner, and the policies.
-- name: nonOwnerSecurity :one
select ((select count(*) from pg_namespace n, aclexplode(n.nspacl) x where n.nspname = 'epic' and x.grantee <> n.nspowner)
     + (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace, aclexplode(c.relacl) x
        where n.nspname = 'epic' and x.grantee <> c.relowner)
     + (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
        join pg_attribute a on a.attrelid = c.oid and a.attnum > 0, aclexplode(a.attacl) x
        where n.nspname = 'epic' and x.grantee <> c.relowner)
     + (select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace,
        aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) x
        where n.nspname = 'epic' and x.grantee <> p.proowner
          and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'))
       )::int as privileges,
       (select count(*) from pg_policies where schemaname = 'epic')::int as policies;

-- Backends waiting for the migrations' lock (sql/migrate.sql lockMigrations).
-- name: migrationsLockWaiters :one
select count(*)::int as waiting from pg_locks l
where l.relation = 'epic.schema_migrations'::regclass and l.mode = 'ShareRowExclusiveLock' and not l.granted;

-- A function only a test's security file created (spec/db/security-model.spec.ts).
-- name: dropSecurityProbe :exec
drop function if exists security_probe();

-- An empty database made ready for the migrations alone (what setup's
-- provisionDatabase does first): schema epic, owned by epic_owner, who may
-- create the extensions.
-- name: prepareScratchSchema :exec
do $$
begin
  create schema if not exists epic authorization epic_owner;
  execute format('grant connect, create on database %I to epic_owner', current_database());
end $$;

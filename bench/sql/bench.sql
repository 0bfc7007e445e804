-- The benchmark's statements (bench/): the data generator, run as the schema
-- owner (sql/setup.sql actAsOwner) in one transaction, and the bare-driver
-- baselines, which run the same statements the API runs.

-- Collaborators of one department, all with the same password hash (email
-- prefix: 'bench-sales-').
-- name: generateCollaborators :many
-- params: howMany, department, passwordHash, emailPrefix
insert into users (full_name, email, department_id, password_hash)
select initcap($2) || ' collaborator ' || g, $4 || g || '@epic.events', d.id, $3
from generate_series(1, $1::integer) g
join departments d on d.name = $2
returning id;

-- howMany clients over the sales collaborators salesIds (round robin). One company in a
-- thousand is an "Acme" (what the search figure looks for), and one client in
-- a thousand a "Dupont" (what find('dupont') finds).
-- name: generateClients :exec
-- params: howMany, salesIds
insert into clients (full_name, email, phone, company_name, sales_contact_id, created_at, updated_at)
select case when g % 1000 = 500 then 'Jean Dupont ' || g else 'Client ' || g end, 'client' || g || '@bench.example', '+33 1 ' || lpad((g % 100000000)::text, 8, '0'),
       case when g % 1000 = 0 then 'Acme Corp ' || g else 'Company ' || (g % 5000) end,
       ($2::integer[])[1 + g % cardinality($2::integer[])],
       now() - make_interval(days => g % 1000), now() - make_interval(days => g % 100)
from generate_series(1, $1::integer) g;

-- howMany contracts spread over every client (clientCount of them from
-- firstClientId): 4 in 7
-- signed, 2 in 3 with an amount due (moduli coprime with the 50 salespeople,
-- so every salesperson has some of each kind).
-- name: generateContracts :exec
-- params: howMany, firstClientId, clientCount
insert into contracts (client_id, total_amount, amount_due, signed_at, created_at, updated_at)
select $2::integer + g % $3::integer, 1000 + g % 9000, case when g % 3 <> 0 then (1000 + g % 9000) / 2 else 0 end,
       case when g % 7 < 4 then now() - make_interval(days => g % 365) end,
       now() - make_interval(days => g % 730), now() - make_interval(days => g % 30)
from generate_series(1, $1::integer) g;

-- howMany events, one per signed contract (the first howMany of them), one in
-- ten without a support contact, the others round robin over supportIds.
-- name: generateEvents :exec
-- params: howMany, supportIds
insert into events (contract_id, name, start_at, end_at, support_contact_id, location, attendees, notes)
select k.id, 'Event of contract ' || k.id, s.start_at, s.start_at + interval '6 hours',
       case when k.id % 10 = 0 then null else ($2::integer[])[1 + k.id % cardinality($2::integer[])] end,
       'Hall ' || (k.id % 300), k.id % 500, case when k.id % 4 = 0 then 'Bring the banners' end
from (select id from contracts where signed_at is not null order by id limit $1::integer) k
cross join lateral (select timestamptz '2026-01-01' + make_interval(hours => k.id % 20000) as start_at) s;

-- howMany history entries over the first contracts, one a second up to now;
-- changesOfContract of them about contractId (what contracts.history(id) pages through).
-- name: generateHistory :exec
-- params: howMany, changesOfContract, contractId, actorId
insert into change_log (at, actor_id, actor_name, object, record_id, action, changes)
select now() - make_interval(secs => ($1::integer - g)), $4::integer, 'Bench collaborator',
       'contract', case when g % greatest($1::integer / $2::integer, 1) = 0 then $3::integer else 1 + g % 100000 end,
       'updated', jsonb_build_object('amountDue', jsonb_build_array((g % 9000)::text || '.00', (g % 4500)::text || '.00'))
from generate_series(1, $1::integer) g;

-- Generation skips the triggers (history, versions): the generator writes
-- what they would, and this keeps the million rows quick. Superuser only,
-- transaction-local.
-- name: skipTriggers :exec
select set_config('session_replication_role', 'replica', true);

-- The tallies contracts.count() reads (sql/migrations/008), which the
-- skipped triggers did not keep: recounted once after generation.
-- name: rebuildTallies :exec
select rebuild_contract_tallies();

-- name: firstClientId :one
select min(id) as id, count(*)::integer as count from clients;

-- The report totals (sql/migrations/009), which the triggers skipped while
-- generating keep: rebuilt from the contracts in one pass.
-- name: generateReportTotals :exec
select report_totals_rebuild();

-- Planner statistics after generation (run outside a transaction).
-- name: analyzeCrm :exec
vacuum analyze epic.users, epic.clients, epic.contracts, epic.events, epic.change_log,
  epic.report_signed_totals, epic.report_pipeline_totals, epic.report_client_balances;

-- name: rowCounts :one
select (select count(*) from epic.users)::integer as users, (select count(*) from epic.clients)::integer as clients,
       (select count(*) from epic.contracts)::integer as contracts, (select count(*) from epic.events)::integer as events,
       (select count(*) from epic.change_log)::integer as history,
       (select count(*) from epic.change_log where object = 'contract' and record_id = 1)::integer as "historyOfContract1";

-- Baselines (bench/raw.ts): the bare driver, identity set once for the whole
-- session rather than per transaction (what a hand-written pg script would do).
-- name: rawSessionIdentity :exec
-- params: role, sessionKey
select set_config('role', $1, false), set_config('epic.session', $2, false), set_config('search_path', 'epic', false);

-- name: rawSelectOne :one
select 1 as one;

-- name: rawInsertClient :exec
-- params: fullName, email, phone, companyName, salesContactId
insert into clients (full_name, email, phone, company_name, sales_contact_id) values ($1, $2, $3, $4, $5);

-- The search_path the owner's and the sessions' roles have (sql/setup.sql), for this transaction only.
-- name: epicSearchPath :exec
select set_config('search_path', 'epic', true);

-- The import figure's floor (bench/run.ts importFigure): the database's
-- owner (the bench server's superuser) reads the same CSV file with COPY, the
-- history trigger firing. Not epic_owner: row-level security is forced on
-- clients, and PostgreSQL refuses COPY FROM into such a table (SQLSTATE
-- 0A000) — which is why clients.import uses INSERT; only a role that bypasses
-- row-level security may COPY into it. COPY takes no parameters: %L is the file's path, quoted by pg-format as a
-- literal (a path the bench wrote itself, never user input).
-- name: ownerCopyClients :exec
copy epic.clients (full_name, email, phone, company_name) from %L with (format csv, header true);

-- The clients the batch figure's runs created (bench/rows.ts batchClient),
-- removed once it is measured: the figures after it measure the generated
-- data, not one salesperson with 120,000 more clients.
-- name: deleteBatchClients :exec
delete from epic.clients where email like 'batch-%@bench.example';

-- The rows COPY loaded, removed before the import loads the same file.
-- name: deleteCopiedClients :exec
delete from epic.clients where email like '%@import.bench';

-- A follow-up on every client (issue 34), set by its salesperson: due from
-- 1,000 hours ago to 1,000 hours ahead, so about half are due now; one in
-- seven done (7 is coprime with the 50 salespeople: each has open ones).
-- name: generateFollowUps :exec
insert into follow_ups (client_id, set_by, due_at, note, done_at, done_by)
select c.id, c.sales_contact_id, now() + make_interval(hours => (c.id % 2000) - 1000), 'follow up ' || c.id,
       case when c.id % 7 = 0 then now() end, case when c.id % 7 = 0 then c.sales_contact_id end
from clients c;

-- name: analyzeFollowUps :exec
analyze follow_ups;

-- The export figure's baseline (issue 33): every contract with the columns
-- contracts.list() gives, in id order, as CSV, written by the server (COPY TO
-- STDOUT) and saved to a file by the bare driver. Read as the sales session's role
-- under a sales collaborator's identity, as the export reads them.
-- name: rawCopyContracts :exec
copy (
  select k.id, k.client_id as "clientId", c.full_name as "clientName", c.email as "clientEmail", c.phone as "clientPhone",
         c.sales_contact_id as "salesContactId", u.full_name as "salesContactName",
         k.total_amount::text as "totalAmount", k.amount_due::text as "amountDue",
         k.signed_at is not null as signed, k.signed_at as "signedAt", k.created_at as "createdAt", k.updated_at as "updatedAt"
  from contract_order k
  join clients c on c.id = k.client_id
  left join users u on u.id = c.sales_contact_id
  order by k.id
) to stdout with (format csv, header true);

-- The bench holds several sessions of one collaborator at once (its CLI
-- logins, the API's sessions): the per-collaborator bound setup chose from
-- max_connections (sql/migrations/040) is raised to its maximum for it.
-- name: raiseSessionBound :exec
update team_settings set sessions_per_user = 50;

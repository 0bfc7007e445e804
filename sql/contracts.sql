-- Contracts. The client's name, email, phone and sales contact are read
-- through the client, so they can never disagree with it. Amounts stay
-- numeric(12,2) text ('1500.00'), never floats.

-- One select list per projection: a contract as every read shows it (k: the
-- contract row, c: its client, u: the client's sales contact), and the row a
-- write checks ownership against (lockContract locks it, peekContract reads it).
-- fragment: contractColumns
k.id, k.client_id as "clientId", c.full_name as "clientName", c.email as "clientEmail", c.phone as "clientPhone",
c.sales_contact_id as "salesContactId", u.full_name as "salesContactName",
k.total_amount::text as "totalAmount", k.amount_due::text as "amountDue",
k.signed_at is not null as signed, k.signed_at as "signedAt",
k.created_at as "createdAt", k.updated_at as "updatedAt"

-- fragment: contractLockRow
select k.id, k.client_id as "clientId", k.total_amount::text as "totalAmount", k.amount_due::text as "amountDue",
       k.signed_at as "signedAt", c.sales_contact_id as "salesContactId", u.email as "salesContactEmail"
from contracts k
join clients c on c.id = k.client_id
left join users u on u.id = c.sales_contact_id
where k.id = $1

-- name: getContract :one
-- params: id
select {{contractColumns}}
from contracts k
join clients c on c.id = k.client_id
left join users u on u.id = c.sales_contact_id
where k.id = $1;

-- contracts.restore(id): the contract as restore_record() brought it back
-- (sql/security/60_trash.sql), with its event: the function's row, not a second read.
-- name: restoreContract :one
-- params: id
select {{contractColumns}}
from restore_record('contract', $1) r
cross join lateral jsonb_populate_record(null::contracts, r) k
join clients c on c.id = k.client_id
left join users u on u.id = c.sales_contact_id;

-- A page of contracts, sorted (lib/crm/sort.ts fills in %1$I the sort column,
-- %2$s the keyset comparison, %3$s the direction) after the last row's
-- (key, id); afterId null for the first page. unpaid: amount due > 0;
-- salesContactId: the client's sales contact. The page's contracts come from
-- the contract_order view (008, 012): comparing amounts (numeric) is not
-- leakproof, so under the row policies the keyset could not be an index
-- condition. Nothing joins contracts again: for a large page (export) the
-- planner would hash-join it whole.
-- name: listContracts :many
-- plan: per-call
-- params: afterKey, afterId, limit, signed, unpaid, salesContactId, clientId
with page as materialized (
  select o.id, o.client_id, o.total_amount, o.amount_due, o.signed_at, o.created_at, o.updated_at
  from contract_order o
  where ($2::integer is null or (o.%1$I, o.id) %2$s ($1, $2))
    and ($4::boolean is null or (o.signed_at is not null) = $4)
    and ($5::boolean is null or (o.amount_due > 0) = $5)
    and ($6::integer is null or o.client_id in (select c.id from clients c where c.sales_contact_id = $6))
    and ($7::integer is null or o.client_id = $7)
  order by o.%1$I %3$s, o.id %3$s
  limit $3
)
select {{contractColumns}}, k.%1$I::text as "sortKey"
from page k
join clients c on c.id = k.client_id
left join users u on u.id = c.sales_contact_id
order by k.%1$I %3$s, k.id %3$s;

-- The rest of the same list declared as an export's cursor (lib/crm/sort.ts,
-- limit null): one scan and join for the whole result, as a COPY would do
-- (no page to materialise first).
-- name: exportContracts :exec
-- plan: per-call
-- params: afterKey, afterId, limit, signed, unpaid, salesContactId, clientId
declare epic_export no scroll cursor for
select {{contractColumns}}, k.%1$I::text as "sortKey"
from contract_order k
join clients c on c.id = k.client_id
left join users u on u.id = c.sales_contact_id
where ($2::integer is null or (k.%1$I, k.id) %2$s ($1, $2))
  and ($4::boolean is null or (k.signed_at is not null) = $4)
  and ($5::boolean is null or (k.amount_due > 0) = $5)
  and ($6::integer is null or k.client_id in (select c6.id from clients c6 where c6.sales_contact_id = $6))
  and ($7::integer is null or k.client_id = $7)
order by k.%1$I %3$s, k.id %3$s
limit $3;

-- The rest of the whole list (no filter: lib/crm/sort.ts) as one COPY, for
-- a CSV export (lib/shell/export-copy.ts reads its rows without a string
-- made of each cell): one statement, one snapshot, the COPY's own plan. COPY
-- takes no parameters: copyContractsSettings sets the keyset's values first,
-- transaction-local; the key is read as the view's own column type
-- (json_populate_record), once (a subquery). Times print in UTC, ISO style.
-- The COPY lasts as long as its rows take to be written (the file, a pipe
-- read by a pager): no statement limit in this transaction, as a cursor's
-- export had none between its fetches.
-- name: copyContractsSettings :exec
-- params: afterKey, afterId
select set_config('timezone', 'UTC', true), set_config('datestyle', 'ISO, MDY', true), set_config('statement_timeout', '0', true),
       set_config('epic.export_after_key', $1::text, true),
       set_config('epic.export_after_id', $2::integer::text, true);

-- name: copyContracts :exec
-- plan: per-call
copy (
  select {{contractColumns}}
  from contract_order k
  join clients c on c.id = k.client_id
  left join users u on u.id = c.sales_contact_id
  where (k.%1$I, k.id) %2$s ((select a.%1$I from json_populate_record(null::contract_order, json_build_object(%1$L, current_setting('epic.export_after_key'))) a),
                             (select current_setting('epic.export_after_id')::integer))
  order by k.%1$I %3$s, k.id %3$s
) to stdout;

-- How many contracts listContracts lists with the same filters: from the
-- tallies PostgreSQL keeps (008) unless one client is asked about (then its
-- contracts are few, counted on contracts_client_idx).
-- name: countContracts :one
-- plan: per-call
-- params: signed, unpaid, salesContactId, clientId
select case when $4::integer is null then (
         select coalesce(sum(t.contracts), 0)::integer from contract_tallies t
         where ($1::boolean is null or t.signed = $1)
           and ($2::boolean is null or t.unpaid = $2)
           and ($3::integer is null or t.sales_contact_id = $3))
       else (
         select count(*)::integer from contract_order o
         where o.client_id = $4
           and ($1::boolean is null or (o.signed_at is not null) = $1)
           and ($2::boolean is null or (o.amount_due > 0) = $2)
           and ($3::integer is null or o.client_id in (select c.id from clients c where c.sales_contact_id = $3)))
       end as count;

-- name: clientExists :one
-- params: id
select id from clients where id = $1 for share;

-- Returns the contract as getContract shows it, as the insert left it (no
-- second read).
-- name: createContract :one
-- params: clientId, totalAmount, amountDue, signed
with created as (
  insert into contracts (client_id, total_amount, amount_due, signed_at)
  values ($1, $2::numeric, $3::numeric, case when $4::boolean then now() end)
  returning *
)
select {{contractColumns}}
from created k
join clients c on c.id = k.client_id
left join users u on u.id = c.sales_contact_id;

-- The contract and its client, locked: ownership (the client's sales contact)
-- is checked against these rows, and nobody can change them until we commit.
-- name: lockContract :one
-- params: id
{{contractLockRow}}
for update of k for share of c;

-- The same row without a lock: when the locking read finds nothing, tells a
-- missing row from one the caller's department may not change (row security
-- hides rows from FOR UPDATE that its policies refuse).
-- name: peekContract :one
-- params: id
{{contractLockRow}};

-- Returns the contract as getContract shows it, as this update left it.
-- name: updateContractAmounts :one
-- params: id, totalAmount, amountDue
with updated as (
  update contracts
  set total_amount = $2::numeric, amount_due = $3::numeric, updated_at = now()
  where id = $1
  returning *
)
select {{contractColumns}}
from updated k
join clients c on c.id = k.client_id
left join users u on u.id = c.sales_contact_id;

-- Only through the database's own function (sql/migrations/006, 075): signed
-- now, never undone or back-dated (the version is bumped by trigger). Returns
-- the contract as the signature left it (the function's row, not a second
-- read); no row when it was already signed.
-- name: signContract :one
-- params: id
select {{contractColumns}}
from sign_contract($1) k
join clients c on c.id = k.client_id
left join users u on u.id = c.sales_contact_id;

-- A payment, through the database's own function (sql/migrations/009, 050):
-- the amount due goes down by amount; refused there too on an unsigned
-- contract, above the amount due, or on a contract the caller may not change.
-- Returns the contract as the payment left it (the function's row, not a
-- second read).
-- name: payContract :one
-- params: id, amount
select {{contractColumns}}
from pay_contract($1, $2::numeric) k
join clients c on c.id = k.client_id
left join users u on u.id = c.sales_contact_id;

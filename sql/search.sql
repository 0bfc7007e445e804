-- find(text): clients, contracts (by their client) and events at once, in
-- one statement (one plan, one round trip): a row of three JSON arrays.
-- words: one to four LIKE patterns, each found anywhere in the record's
-- search document (sql/migrations/008: lower case, no accents, phone digits),
-- in any order; the ids come from the trigram indexes through the
-- client_find / event_find views, the records are then read under the row
-- policies. The cardinality tests fold away at planning. limit: rows per kind
-- (one more is fetched to tell whether there are more).

-- phone: the text read as a phone number in E.164 (lib/crm/phone.ts), or
-- null: clients with that number in any form match too (migration 023).
-- name: find :one
-- plan: per-call
-- params: words, limit, phone
with client_matches as materialized (
  select id from client_find
    where doc like search_text(($1::text[])[1])
      and (cardinality($1::text[]) < 2 or doc like search_text(($1::text[])[2]))
      and (cardinality($1::text[]) < 3 or doc like search_text(($1::text[])[3]))
      and (cardinality($1::text[]) < 4 or doc like search_text(($1::text[])[4]))
  union
  select c.id from clients c where $3::text is not null and c.phone_e164 = $3::text
), event_matches as materialized (
  select id from event_find
    where doc like search_text(($1::text[])[1])
      and (cardinality($1::text[]) < 2 or doc like search_text(($1::text[])[2]))
      and (cardinality($1::text[]) < 3 or doc like search_text(($1::text[])[3]))
      and (cardinality($1::text[]) < 4 or doc like search_text(($1::text[])[4]))
)
select
  (select coalesce(json_agg(x order by x."fullName", x.id), '[]') from (
     select c.id, c.full_name as "fullName", c.email, c.phone, c.company_name as "companyName",
            u.full_name as "salesContactName"
     from client_matches m
     join clients c on c.id = m.id
     left join users u on u.id = c.sales_contact_id
     order by c.full_name, c.id
     limit $2) x) as clients,
  (select coalesce(json_agg(x order by x."createdAt" desc, x.id desc), '[]') from (
     select k.id, k.client_id as "clientId", c.full_name as "clientName",
            k.total_amount::text as "totalAmount", k.amount_due::text as "amountDue",
            k.signed_at is not null as signed, k.created_at as "createdAt"
     from client_matches m
     join contracts k on k.client_id = m.id
     join clients c on c.id = k.client_id
     order by k.created_at desc, k.id desc
     limit $2) x) as contracts,
  (select coalesce(json_agg(x order by x."startAt" desc, x.id desc), '[]') from (
     select e.id, e.name, e.start_at as "startAt", e.location, c.full_name as "clientName",
            s.full_name as "supportContactName"
     from event_matches m
     join events e on e.id = m.id
     join contracts k on k.id = e.contract_id
     join clients c on c.id = k.client_id
     left join users s on s.id = e.support_contact_id
     order by e.start_at desc, e.id desc
     limit $2) x) as events;

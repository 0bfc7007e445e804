-- 004: indexes the million-row CRM needs (bench/, `npm run bench`).
-- clients.list({search}) matches '%text%' case-insensitively against the name,
-- email and company: trigram GIN indexes let PostgreSQL find those rows
-- (BitmapOr of the three) instead of filtering the whole table in id order.
create index clients_full_name_trgm_idx on clients using gin (full_name gin_trgm_ops);
create index clients_email_trgm_idx on clients using gin (email gin_trgm_ops);
create index clients_company_name_trgm_idx on clients using gin (company_name gin_trgm_ops);

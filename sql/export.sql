-- An export's cursor (lib/crm/sort.ts): the rest of a list read in one
-- read-only transaction, through one cursor planned for its whole result
-- (the list queries' `export…` twins declare it as epic_export).

-- A cursor is planned by default for its first tenth; an export reads it all.
-- name: wholeCursor :exec
set local cursor_tuple_fraction = 1.0;

-- The next rows of the export's cursor: half of a keyset page of export (EXPORT_PAGE_SIZE),
-- measured: a fetch of 5,000 text rows kept 1M contracts at 200 MB on Node.js 24, 2,500 at 173 MB.
-- name: fetchExport :many
fetch forward 2500 from epic_export;

-- An export's cursor (lib/crm/sort.ts): the rest of a list read in one
-- read-only transaction, through one cursor planned for its whole result
-- (the list queries' `export…` twins declare it as epic_export).

-- A cursor is planned by default for its first tenth; an export reads it all.
-- name: wholeCursor :exec
set local cursor_tuple_fraction = 1.0;

-- The next rows of the export's cursor (lib/shell/export.ts EXPORT_PAGE_SIZE).
-- name: fetchExport :many
fetch forward 5000 from epic_export;

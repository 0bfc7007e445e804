-- Candidates for Tab completion of a name (lib/crm/candidates.ts): ids whose
-- name starts with what is typed (any case), at most `limit`, read under the
-- caller's session through the views of migration 032.

-- prefix: lower case, LIKE wildcards escaped. In the "C" collation, as the
-- index of migration 061 holds them: the prefix's range, already in order.
-- name: clientCandidates :many
-- plan: per-call
-- params: prefix, limit
select id, full_name as name
from client_names
where name_key collate "C" like $1 || '%'
order by name_key collate "C", id
limit $2;

-- Collaborators whose full name, or one of its words, starts with prefix;
-- department: only that department's, or null for any.
-- name: collaboratorCandidates :many
-- plan: per-call
-- params: prefix, department, limit
select id, full_name as name
from collaborator_names
where (name_key like $1 || '%' or name_key like '% ' || $1 || '%')
  and ($2::text is null or department = $2)
order by name_key, id
limit $3;

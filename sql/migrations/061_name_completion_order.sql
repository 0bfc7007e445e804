-- 061: Tab completion of client names in the index's order (issue 34: the
-- candidates for 'client 1' at 200,000 clients took 190 ms; the target is
-- 50). Runs as epic_owner.
--
-- 032's index (lower(full_name) text_pattern_ops, id) finds the names a
-- prefix starts with, but its order is not the database collation's, so a
-- prefix that many names share (111,111 of 200,000 start with 'client 1')
-- were all read and sorted for the first 20. The same index in the "C"
-- collation both finds the prefix and gives the order sql/completion.sql
-- asks for (byte order: the candidates of one prefix are listed as the index
-- holds them), so a page of 20 reads 20 entries.
drop index clients_name_prefix_idx;
create index clients_name_prefix_idx on clients ((lower(full_name) collate "C"), id);

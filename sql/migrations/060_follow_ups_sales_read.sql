-- 060: follow-ups as a salesperson reads them, at scale (issue 34: followUps({due:
-- true}) as sales took 5.4 s at 1M contracts, as management 3 ms). Runs as epic_owner.
--
-- 031's sales read policy called client_is_mine(client_id) for every row: a
-- security-definer function the planner cannot see into, so each open
-- follow-up cost a lookup of its client, and the planner preferred reading
-- them all and sorting. The same rule as a subquery it sees: the caller's
-- clients (clients_sales_contact_idx), read once per statement into a hash,
-- then the partial index of 031 in due order stops at the page's last row.
-- Every department may read every client (003, 011), so the subquery reads
-- exactly what client_is_mine read.
drop policy follow_ups_sales_read on follow_ups;
create policy follow_ups_sales_read on follow_ups for select to epic_sales
  using (client_id in (select c.id from clients c where c.sales_contact_id = (select current_collaborator_id())));

-- The security model, 9: every privilege in schema epic that a role other than
-- its owner (epic_owner) holds. 70_reset.sql revokes them all first, so this
-- file is the whole list: a grant made by hand is gone after the next setup.
--
-- epic_login (the runtime login role and each session's role are members):
--   the schema and the auth_* functions, nothing else.
-- epic_management, epic_sales, epic_support (a session's role becomes its
--   department's for one transaction): what each department may read, the
--   columns it may write, the functions it may call. What rows, the policies
--   say (80_policies.sql).
-- PUBLIC: EXECUTE on six trigger functions, PostgreSQL's default never taken
--   back (a trigger function cannot be called but by its trigger).
-- The runtime role and epic_runtime hold nothing here; the server's functions
-- closed to PUBLIC and the database's CONNECT are setup's (sql/setup.sql).

-- schema
grant usage on schema epic to epic_login;
grant usage on schema epic to epic_management;
grant usage on schema epic to epic_sales;
grant usage on schema epic to epic_support;

-- epic_management: tables, views, columns, sequences
grant select on change_log, client_emails, client_find, client_imports, client_names, client_search, collaborator_names, contract_order, contract_tallies, departments, event_find, follow_ups, report_balances, report_contracts, report_pipeline, report_signed, trash to epic_management;
grant select, delete on clients, contracts, events to epic_management;
grant usage on sequence employee_number_seq to epic_management;
grant delete on users to epic_management;
grant insert (full_name, email, phone, company_name, sales_contact_id, phone_e164), update (sales_contact_id) on clients to epic_management;
grant insert (client_id, total_amount, amount_due, signed_at), update (total_amount, amount_due, updated_at) on contracts to epic_management;
grant update (support_contact_id, updated_at) on events to epic_management;
grant insert (client_id, due_at, note), update (done_at, done_by) on follow_ups to epic_management;
grant insert (employee_number, full_name, email, phone, department_id, password_hash), select (id, employee_number, full_name, email, phone, department_id, token_version, created_at, updated_at), update (full_name, email, phone, department_id, password_hash, updated_at) on users to epic_management;

-- epic_sales: tables, views, columns, sequences
grant select on change_log, client_emails, client_find, client_imports, client_names, client_search, collaborator_names, contract_order, contract_tallies, departments, event_find, events, follow_ups, report_balances, report_contracts, report_pipeline, report_signed, trash to epic_sales;
grant select, delete on clients, contracts to epic_sales;
grant insert (full_name, email, phone, company_name, sales_contact_id, phone_e164), update (full_name, email, phone, company_name, updated_at, phone_e164) on clients to epic_sales;
grant update (total_amount, amount_due, updated_at) on contracts to epic_sales;
grant insert (contract_id, name, start_at, end_at, location, attendees, notes) on events to epic_sales;
grant insert (client_id, due_at, note), update (done_at, done_by) on follow_ups to epic_sales;
grant select (id, employee_number, full_name, email, phone, department_id, token_version, created_at, updated_at) on users to epic_sales;

-- epic_support: tables, views, columns, sequences
grant select on change_log, client_emails, client_find, client_imports, client_names, client_search, clients, collaborator_names, contract_order, contract_tallies, contracts, departments, event_find, trash to epic_support;
grant select, delete on events to epic_support;
grant update (name, start_at, end_at, location, attendees, notes, updated_at) on events to epic_support;
grant select (id, employee_number, full_name, email, phone, department_id, token_version, created_at, updated_at) on users to epic_support;

-- functions for epic_login, epic_management, epic_sales, epic_support
grant execute on function
  assert_session(text),
  auth_change_password(text,text,text),
  auth_check_own_password(text,text),
  auth_logout(text),
  auth_password_change_due(text),
  auth_session(text),
  auth_session_ending(text)
  to epic_login, epic_management, epic_sales, epic_support;

-- functions for epic_login
grant execute on function
  auth_login(text,text,integer,text)
  to epic_login;

-- functions for epic_management, epic_sales
grant execute on function
  begin_import(text),
  follow_up_client(integer),
  import_clients(text,text[],text[],text[],text[],integer[],text[],boolean),
  import_logged(text,integer[]),
  pay_contract(integer,numeric),
  sign_contract(integer)
  to epic_management, epic_sales;

-- functions for public
grant execute on function
  bump_version(),
  contracts_signed_now(),
  log_record_change(),
  log_user_change(),
  users_end_sessions(),
  users_guard()
  to public;

-- functions for epic_sales
grant execute on function
  client_is_mine(integer)
  to epic_sales;

-- functions for epic_management
grant execute on function
  client_personal_data(integer),
  empty_trash(interval),
  end_user_sessions(integer),
  erase_client(integer),
  unlock_login(text),
  user_sessions(integer)
  to epic_management;

-- functions for epic_management, epic_sales, epic_support
grant execute on function
  client_search_doc(text,text,text,text),
  clients_phone_e164(),
  collaborator_in(integer,text),
  contract_has_payments(timestamp with time zone,numeric,numeric),
  current_collaborator_id(),
  event_search_doc(text,text,text),
  phone_e164_guess(text),
  restore_record(text,integer),
  search_digits(text),
  search_text(text),
  session_acts_as(text),
  session_department(),
  session_identity(),
  undo_apply(change_log),
  undo_change(bigint),
  undo_column(text,text),
  undo_import(bigint),
  undo_stale_fields(change_log),
  undo_write(change_log),
  user_search_doc(text,text,text,text)
  to epic_management, epic_sales, epic_support;

-- 057: login_check (040's name for 013's password comparison, which opens a
-- session without a login role) kept the department roles' EXECUTE that 013's
-- auth_login had: a session could call it as its department and open
-- role-less sessions (no use to it: the identity functions refuse a session
-- without its role, but rows nobody needs). Only the owner's functions call it
-- (auth_login, auth_change_password, auth_check_own_password).
revoke all on function login_check(text, text, integer) from public, epic_login, epic_management, epic_sales, epic_support;

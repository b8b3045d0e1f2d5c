DROP INDEX IF EXISTS support.ux_users_username_lower;

-- The API role updates only the columns its endpoints write (handlers_admin.cpp,
-- handlers_auth.cpp, handlers_overrides.cpp), not every column of the table: before, it could
-- rename a user (username, email), change a user's id or creation time, and rewrite an override's
-- author, id or creation time. A REVOKE of the table's UPDATE takes its column grants too.
DO $$
BEGIN
  IF to_regrole('corrente_api') IS NULL THEN RETURN; END IF;
  REVOKE UPDATE ON support.users FROM corrente_api;
  GRANT UPDATE (role, active, password_hash, password_changed_at, token_version, last_login,
                updated_at) ON support.users TO corrente_api;
  REVOKE UPDATE ON analytics.overrides FROM corrente_api;
  GRANT UPDATE (kind, item_id, site_id, valid_from, valid_to, mode, value, service_level,
                min_stock, max_stock, lead_time_days, recommendation_id, quantity, reason, state,
                version, decided_by, decided_at, decision_note, updated_at)
    ON analytics.overrides TO corrente_api;
END
$$;

DO $$
BEGIN
  IF to_regrole('corrente_api') IS NULL THEN RETURN; END IF;
  GRANT UPDATE ON support.users, analytics.overrides TO corrente_api;
END
$$;

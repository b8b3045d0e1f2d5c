DO $$
BEGIN
  IF to_regrole('corrente_api') IS NULL THEN RETURN; END IF;
  REVOKE SELECT ON staging.migration_sync_log FROM corrente_api;
  REVOKE USAGE ON SCHEMA staging FROM corrente_api;
END
$$;

-- Monitoring (docs/operations.md): the API role reads the sync log for /metrics' sync lag.
-- Only where V053 set up the roles (a DATABASE_URL user without CREATEROLE has none).
DO $$
BEGIN
  IF to_regrole('corrente_api') IS NULL THEN RETURN; END IF;
  GRANT USAGE ON SCHEMA staging TO corrente_api;
  GRANT SELECT ON staging.migration_sync_log TO corrente_api;
END
$$;

-- Gives everything back to the user running the downgrade and revokes the roles' privileges
-- in this database (explicitly: DROP OWNED would need the privileges of every role). The
-- roles stay: they are cluster-wide, other databases and the managed cluster's login roles
-- may use them, and without privileges here they can do nothing here.
DO $roles$
BEGIN
  IF to_regrole('corrente_owner') IS NULL THEN
    RETURN;
  END IF;
  EXECUTE format('REASSIGN OWNED BY corrente_owner, corrente_pipeline, corrente_migrate TO %I', current_user);
  ALTER DEFAULT PRIVILEGES FOR ROLE corrente_owner IN SCHEMA core, analytics
    REVOKE SELECT ON TABLES FROM corrente_api, corrente_pipeline;
  ALTER DEFAULT PRIVILEGES FOR ROLE corrente_pipeline IN SCHEMA analytics
    REVOKE SELECT ON TABLES FROM corrente_api;
  -- Revoking a table's privileges revokes its columns' too.
  REVOKE ALL ON ALL TABLES IN SCHEMA core, analytics, support, staging
    FROM corrente_owner, corrente_api, corrente_pipeline, corrente_migrate;
  REVOKE ALL ON ALL SEQUENCES IN SCHEMA core, analytics, support, staging
    FROM corrente_owner, corrente_api, corrente_pipeline, corrente_migrate;
  REVOKE ALL ON SCHEMA core, analytics, support, staging
    FROM corrente_owner, corrente_api, corrente_pipeline, corrente_migrate;
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM corrente_owner, corrente_api, corrente_pipeline, corrente_migrate',
                 current_database());
END
$roles$;

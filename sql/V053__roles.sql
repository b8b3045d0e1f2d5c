-- Least-privilege roles (docs/security.md): NOLOGIN groups that own or may touch exactly what
-- each command needs. corrente_owner owns the schemas; corrente_pipeline owns what each run
-- rebuilds (features_store, the materialized views); corrente_api reads and writes only what
-- its endpoints write; corrente_migrate writes staging and creates the copies' schemas.
-- Roles are cluster-wide: made only when missing, so this runs in every database. A user who
-- may not create roles gets a warning, and the schema stays as it was.
DO $roles$
DECLARE
  r text;
  obj record;
  is_super boolean;
  may_create boolean;
BEGIN
  SELECT rolsuper, rolsuper OR rolcreaterole INTO is_super, may_create
    FROM pg_roles WHERE rolname = current_user;
  FOREACH r IN ARRAY ARRAY['corrente_owner', 'corrente_api', 'corrente_pipeline', 'corrente_migrate'] LOOP
    CONTINUE WHEN to_regrole(r) IS NOT NULL;
    IF NOT may_create THEN
      RAISE WARNING 'corrente roles not created: % may not create roles (CREATEROLE); commands keep connecting as it', current_user;
      RETURN;
    END IF;
    BEGIN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;  -- another database's migration made it at the same moment
    END;
  END LOOP;

  -- Whoever runs migrations may act as the owner.
  IF NOT is_super AND NOT pg_has_role(current_user, 'corrente_owner', 'MEMBER') THEN
    BEGIN
      EXECUTE format('GRANT corrente_owner TO %I', current_user);
    EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN
      RAISE WARNING 'corrente roles not granted: % is not a member of corrente_owner and may not join it; commands keep connecting as it', current_user;
      RETURN;
    END;
  END IF;
  -- The owner may act as the pipeline and migrate roles (to alter what they own).
  IF NOT pg_has_role('corrente_owner', 'corrente_pipeline', 'MEMBER')
     OR NOT pg_has_role('corrente_owner', 'corrente_migrate', 'MEMBER') THEN
    GRANT corrente_pipeline, corrente_migrate TO corrente_owner;
  END IF;
  EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO corrente_api, corrente_pipeline, corrente_migrate',
                 current_database());
  EXECUTE format('GRANT CREATE ON DATABASE %I TO corrente_owner, corrente_migrate', current_database());

  -- The pipeline makes features_store's successor in analytics (and an owner must be able to
  -- create in the schema of what it owns).
  GRANT USAGE ON SCHEMA analytics TO corrente_pipeline;
  GRANT CREATE ON SCHEMA analytics TO corrente_pipeline;

  -- Ownership: schemas, relations (partitions too; owned sequences follow their table) and
  -- functions of corrente's four schemas.
  FOREACH r IN ARRAY ARRAY['core', 'analytics', 'support', 'staging'] LOOP
    EXECUTE format('ALTER SCHEMA %I OWNER TO corrente_owner', r);
  END LOOP;
  FOR obj IN
    SELECT c.oid::regclass AS name,
           CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                          WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('core', 'analytics', 'support', 'staging')
       AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
       AND NOT (c.relkind = 'S' AND EXISTS (
             SELECT 1 FROM pg_depend d
              WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
  LOOP
    EXECUTE format('ALTER %s %s OWNER TO corrente_owner', obj.kind, obj.name);
  END LOOP;
  FOR obj IN
    SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname IN ('core', 'analytics', 'support', 'staging')
  LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO corrente_owner', obj.name);
  END LOOP;
  -- Each run drops and recreates features_store and refreshes the views: only owners may.
  ALTER TABLE analytics.features_store OWNER TO corrente_pipeline;
  ALTER MATERIALIZED VIEW analytics.mv_kpis_latest OWNER TO corrente_pipeline;
  ALTER MATERIALIZED VIEW analytics.mv_forecasts_latest OWNER TO corrente_pipeline;
  -- Schemas that `migrate copy` made before these roles existed belong to the migrate role.
  FOR obj IN
    SELECT DISTINCT t.target_schema AS name FROM staging.migration_tables t
     WHERE t.target_schema NOT IN ('core', 'analytics', 'support', 'staging')
       AND to_regnamespace(quote_ident(t.target_schema)) IS NOT NULL
  LOOP
    EXECUTE format('ALTER SCHEMA %I OWNER TO corrente_migrate', obj.name);
    EXECUTE format('GRANT ALL ON ALL TABLES IN SCHEMA %I TO corrente_migrate', obj.name);
  END LOOP;

  -- The API: reads core, analytics and support; writes only what its endpoints write.
  GRANT USAGE ON SCHEMA core, analytics, support TO corrente_api, corrente_pipeline;
  GRANT SELECT ON ALL TABLES IN SCHEMA core, analytics TO corrente_api, corrente_pipeline;
  GRANT SELECT ON ALL TABLES IN SCHEMA support TO corrente_api;
  GRANT INSERT, UPDATE ON support.users TO corrente_api;
  GRANT INSERT ON support.audit_logs, support.revoked_tokens TO corrente_api;
  GRANT USAGE ON ALL SEQUENCES IN SCHEMA support TO corrente_api;
  GRANT UPDATE (read_at, resolved_at, updated_at) ON analytics.alerts TO corrente_api;
  GRANT UPDATE (acknowledged_at, acknowledged_by, updated_at) ON analytics.recommendations TO corrente_api;
  GRANT INSERT, UPDATE, DELETE ON analytics.simulation_runs TO corrente_api;
  EXECUTE format('GRANT USAGE ON SEQUENCE %s TO corrente_api',
                 pg_get_serial_sequence('analytics.simulation_runs', 'simulation_id'));

  -- The pipeline: writes analytics (and makes features_store's successor there), the calendar,
  -- the ABC class of items and today's policy columns of inventory.
  GRANT REFERENCES (item_id) ON core.dim_item TO corrente_pipeline;  -- features_store's keys
  GRANT REFERENCES (site_id) ON core.dim_site TO corrente_pipeline;
  GRANT REFERENCES ON analytics.pipeline_runs TO corrente_pipeline;
  GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA analytics TO corrente_pipeline;
  GRANT USAGE ON ALL SEQUENCES IN SCHEMA analytics TO corrente_pipeline;
  GRANT INSERT, UPDATE ON core.dim_calendar TO corrente_pipeline;
  EXECUTE format('GRANT USAGE ON SEQUENCE %s TO corrente_pipeline',
                 pg_get_serial_sequence('core.dim_calendar', 'date_id'));
  GRANT UPDATE (abc_class, updated_at) ON core.dim_item TO corrente_pipeline;
  GRANT UPDATE (safety_stock, reorder_point, days_to_rupture) ON core.fact_inventory_daily TO corrente_pipeline;

  -- Migrate: its bookkeeping in staging; the schemas it copies into are its own.
  GRANT USAGE ON SCHEMA staging TO corrente_migrate;
  GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA staging TO corrente_migrate;
  GRANT USAGE ON ALL SEQUENCES IN SCHEMA staging TO corrente_migrate;

  -- Tables made later: by the owner (migrations), and features_store's successors.
  ALTER DEFAULT PRIVILEGES FOR ROLE corrente_owner IN SCHEMA core, analytics
    GRANT SELECT ON TABLES TO corrente_api, corrente_pipeline;
  ALTER DEFAULT PRIVILEGES FOR ROLE corrente_pipeline IN SCHEMA analytics
    GRANT SELECT ON TABLES TO corrente_api;
END
$roles$;

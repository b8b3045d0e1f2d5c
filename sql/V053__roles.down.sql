-- Gives everything back to the user running the downgrade and removes the roles' privileges
-- in this database. The roles themselves are dropped unless another database still uses them.
DO $roles$
DECLARE
  r text;
BEGIN
  IF to_regrole('corrente_owner') IS NULL THEN
    RETURN;
  END IF;
  EXECUTE format('REASSIGN OWNED BY corrente_owner, corrente_pipeline, corrente_migrate TO %I', current_user);
  -- One role at a time: DROP OWNED BY a list trips on default privileges two of them share.
  FOREACH r IN ARRAY ARRAY['corrente_owner', 'corrente_pipeline', 'corrente_migrate', 'corrente_api'] LOOP
    EXECUTE format('DROP OWNED BY %I', r);
  END LOOP;
  FOREACH r IN ARRAY ARRAY['corrente_api', 'corrente_pipeline', 'corrente_migrate', 'corrente_owner'] LOOP
    BEGIN
      EXECUTE format('DROP ROLE %I', r);
    EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege OR object_in_use THEN
      RAISE NOTICE 'role % kept: %', r, SQLERRM;
    END;
  END LOOP;
END
$roles$;

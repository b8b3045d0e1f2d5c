-- updated_at is kept by the database (seed 003), not only by Corrente's own writes: a row
-- updated by any client gets now() unless the UPDATE set updated_at itself. Every table that
-- has the column at this version gets the trigger; a later migration adding one adds its own.
CREATE FUNCTION support.set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END $$;

DO $$
DECLARE t record;
BEGIN
  FOR t IN
    SELECT n.nspname, c.relname
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE a.attname = 'updated_at' AND NOT a.attisdropped
      AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND n.nspname IN ('core', 'analytics', 'support', 'staging')
    ORDER BY 1, 2
  LOOP
    EXECUTE format('CREATE TRIGGER set_updated_at BEFORE UPDATE ON %I.%I FOR EACH ROW '
                   'EXECUTE FUNCTION support.set_updated_at()', t.nspname, t.relname);
  END LOOP;
END $$;

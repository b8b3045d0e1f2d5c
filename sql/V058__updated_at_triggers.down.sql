DO $$
DECLARE t record;
BEGIN
  FOR t IN
    SELECT n.nspname, c.relname
    FROM pg_trigger g
    JOIN pg_class c ON c.oid = g.tgrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE g.tgname = 'set_updated_at' AND NOT g.tgisinternal
  LOOP
    EXECUTE format('DROP TRIGGER set_updated_at ON %I.%I', t.nspname, t.relname);
  END LOOP;
END $$;
DROP FUNCTION support.set_updated_at();

-- One account per user name in any case, enforced by the schema: the API and `user add` checked
-- for a name differing only in case before their INSERT, but two creates at once (of 'Ann' and
-- 'ann') could both pass the check and both commit. The login throttles and rates count names
-- case-insensitively, so two such accounts would share one lockout.
-- Names that already collide are not guessed at: the upgrade stops and names them.
DO $$
DECLARE
  clashes text;
BEGIN
  SELECT string_agg(names, '; ' ORDER BY names) INTO clashes
    FROM (SELECT string_agg(username || ' (user_id ' || user_id || ')', ', ' ORDER BY user_id) AS names
            FROM support.users GROUP BY lower(username) HAVING count(*) > 1) c;
  IF clashes IS NOT NULL THEN
    RAISE EXCEPTION 'support.users has user names that differ only in case: %; rename all '
                    'but one of each (UPDATE support.users SET username = ... WHERE user_id = ...), '
                    'then run db upgrade again', clashes
      USING ERRCODE = '23505';
  END IF;
  -- Run as its own command: on Citus, where support.users is a reference table, the index is
  -- sent to the workers with the text of the command that made it, and this file's whole text
  -- is several commands ("cannot insert multiple commands into a prepared statement").
  EXECUTE 'CREATE UNIQUE INDEX ux_users_username_lower ON support.users (lower(username))';
END
$$;

-- Users of a migrated app keep their bcrypt hashes ($2a$, $2b$, $2y$, as Node and Prisma apps
-- write them) until their first successful login, which replaces the hash with argon2id
-- (docs/security.md). New hashes are still argon2id only: the server never writes bcrypt.
ALTER TABLE support.users DROP CONSTRAINT users_password_hash_check;
ALTER TABLE support.users ADD CONSTRAINT users_password_hash_check
  CHECK (password_hash LIKE '$argon2id$%' OR password_hash ~ '^\$2[aby]\$[0-3][0-9]\$[./A-Za-z0-9]{53}$');

ALTER TABLE support.users DROP COLUMN IF EXISTS token_version;

-- Refused while a bcrypt hash is left: its user could not log in under the old rule.
ALTER TABLE support.users DROP CONSTRAINT users_password_hash_check;
ALTER TABLE support.users ADD CONSTRAINT users_password_hash_check
  CHECK (password_hash LIKE '$argon2id$%');

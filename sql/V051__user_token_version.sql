-- Each account's token version. A token carries the version it was issued under; a password,
-- role or active change and a logout everywhere bump it, which ends every earlier token at
-- once (comparing whole-second issue times with updated_at let a token issued in the same
-- second as the change survive it).
ALTER TABLE support.users
  ADD COLUMN token_version bigint NOT NULL DEFAULT 0 CHECK (token_version >= 0);

-- Users, audit and token revocation (specification §3.4 and §8).
CREATE TABLE support.users (
  user_id             SERIAL PRIMARY KEY,
  username            TEXT UNIQUE NOT NULL CHECK (username ~ '^[A-Za-z0-9_.@-]{3,64}$'),
  email               TEXT UNIQUE,
  password_hash       TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  role                TEXT NOT NULL CHECK (role IN ('ADMIN', 'ANALYST', 'VIEWER')),
  active              BOOLEAN NOT NULL DEFAULT true,
  last_login          TIMESTAMPTZ,
  password_changed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ix_users_username ON support.users (username);

CREATE TABLE support.audit_logs (
  audit_id    BIGSERIAL PRIMARY KEY,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  entity_type TEXT,
  entity_id   BIGINT,
  details     JSONB NOT NULL DEFAULT '{}'::jsonb,
  ip_address  INET,
  user_agent  TEXT,
  "timestamp" TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ix_audit_actor ON support.audit_logs (actor);
CREATE INDEX ix_audit_timestamp ON support.audit_logs ("timestamp" DESC);
CREATE INDEX ix_audit_action ON support.audit_logs (action);
CREATE INDEX gin_audit_details ON support.audit_logs USING GIN (details);

-- Tokens revoked by logout, kept until they would have expired anyway.
CREATE TABLE support.revoked_tokens (
  jti        TEXT PRIMARY KEY,
  user_id    INT REFERENCES support.users (user_id) ON DELETE CASCADE,
  expires_at TIMESTAMPTZ NOT NULL,
  revoked_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ix_revoked_tokens_expiry ON support.revoked_tokens (expires_at);

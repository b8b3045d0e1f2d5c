DROP TABLE IF EXISTS support.revoked_tokens, support.audit_logs, support.users CASCADE;

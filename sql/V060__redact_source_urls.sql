-- The migration state kept source URLs with their credentials (a MySQL password). They are
-- stored redacted from now on (RedactUrl); this redacts the rows written before.
UPDATE staging.migration_tables
   SET source_url = regexp_replace(source_url, '^([A-Za-z0-9+.-]+://)[^/]*@', '\1***@')
 WHERE source_url ~ '^[A-Za-z0-9+.-]+://[^/]*@';
UPDATE staging.migration_verify
   SET source_url = regexp_replace(source_url, '^([A-Za-z0-9+.-]+://)[^/]*@', '\1***@')
 WHERE source_url ~ '^[A-Za-z0-9+.-]+://[^/]*@';

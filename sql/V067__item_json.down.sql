ALTER TABLE core.dim_item DROP COLUMN IF EXISTS api_json;

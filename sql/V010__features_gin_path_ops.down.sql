DROP INDEX analytics.gin_features_jsonb;
CREATE INDEX gin_features_jsonb ON analytics.features_store USING GIN (features);

-- The latest demand date from the rollup (V064) instead of the partitioned fact: GET
-- /demand/timeseries without end_date reads one index entry here, in the same statement as
-- the series, instead of starting a scan of each recent partition (src/server/handlers_analytics.cpp).
CREATE INDEX IF NOT EXISTS ix_demand_item_daily_date ON core.demand_item_daily (full_date);

DROP INDEX IF EXISTS core.ix_demand_item_daily_date;

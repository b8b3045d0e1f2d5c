ALTER TABLE analytics.inventory_policy DROP COLUMN order_cycle_days;

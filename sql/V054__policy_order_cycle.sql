-- The order cycle each policy row was set with: the days of demand an order covers on top of
-- the reorder point (order_up_to = reorder_point + avg_daily_demand * order_cycle_days for
-- the spec and normal methods). Shared across series by demand rate (decide/cycles.h).
ALTER TABLE analytics.inventory_policy ADD COLUMN order_cycle_days NUMERIC(6,2)
  CHECK (order_cycle_days > 0);

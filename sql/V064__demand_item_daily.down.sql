DROP TRIGGER IF EXISTS demand_rollup_ins ON core.fact_demand_daily;
DROP TRIGGER IF EXISTS demand_rollup_upd ON core.fact_demand_daily;
DROP TRIGGER IF EXISTS demand_rollup_del ON core.fact_demand_daily;
DROP TRIGGER IF EXISTS demand_rollup_trunc ON core.fact_demand_daily;
-- The partitions' triggers go with the functions they call.
DROP FUNCTION IF EXISTS core.demand_rollup_dml() CASCADE;
DROP FUNCTION IF EXISTS core.demand_rollup_truncate() CASCADE;
DROP FUNCTION IF EXISTS core.demand_rollup_truncate_partition() CASCADE;
DROP FUNCTION IF EXISTS core.demand_rollup_rebuild();
DROP FUNCTION IF EXISTS core.demand_rollup_drift();
-- ensure_partitions keeps V064's body: without the parent's trigger it does what V001's did.
DROP FUNCTION IF EXISTS core.demand_rollup_guard(regclass);
DROP TABLE IF EXISTS core.demand_item_daily;

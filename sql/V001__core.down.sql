DROP FUNCTION IF EXISTS core.ensure_partitions(regclass, date, date);
DROP TABLE IF EXISTS core.fact_orders, core.fact_inventory_daily, core.fact_demand_daily CASCADE;
DROP TABLE IF EXISTS core.dim_site, core.dim_item, core.dim_supplier, core.dim_region, core.dim_calendar CASCADE;
DROP SCHEMA IF EXISTS core CASCADE;
DROP SCHEMA IF EXISTS analytics CASCADE;
DROP SCHEMA IF EXISTS staging CASCADE;

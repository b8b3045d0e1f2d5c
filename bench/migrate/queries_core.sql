-- The same dashboard queries as queries.sql, on Corrente's star schema after
-- `corrente migrate map` with examples/mappings/spanish_retail.json: the API's own SQL shapes
-- (src/server/handlers_items.cpp, handlers_analytics.cpp) on core.dim_item, core.dim_site,
-- core.fact_demand_daily (sales already summed per day, store and item) and
-- core.fact_inventory_daily. PostgreSQL only.

-- name: items_list
SELECT i.item_id, i.sku, i.name, i.family, i.category, i.unit_measure, i.unit_cost,
       i.unit_price, i.active, count(*) OVER () AS total_count
FROM core.dim_item i
WHERE i.category = 'Alimentación' AND i.active = true
ORDER BY i.name, i.item_id
LIMIT 100 OFFSET 200;

-- name: items_search
SELECT i.item_id, i.sku, i.name, i.category, count(*) OVER () AS total_count
FROM core.dim_item i
WHERE i.sku ILIKE '%p012%' OR i.name ILIKE '%producto 12%'
ORDER BY i.item_id
LIMIT 100;

-- name: demand_item_90d
SELECT d.full_date, sum(d.quantity) AS quantity
FROM core.fact_demand_daily d
WHERE d.item_id = (SELECT item_id FROM core.dim_item WHERE sku = 'P01234')
  AND d.full_date BETWEEN date '2024-10-02' AND date '2024-12-30'
GROUP BY 1
ORDER BY 1;

-- name: demand_item_site_365d
SELECT d.full_date, sum(d.quantity) AS quantity
FROM core.fact_demand_daily d
WHERE d.item_id = (SELECT item_id FROM core.dim_item WHERE sku = 'P00321')
  AND d.site_id = (SELECT site_id FROM core.dim_site WHERE code = 'SUC007')
GROUP BY 1
ORDER BY 1;

-- name: demand_total_90d
SELECT d.full_date, sum(d.quantity) AS quantity
FROM core.fact_demand_daily d
WHERE d.full_date BETWEEN date '2024-10-02' AND date '2024-12-30'
GROUP BY 1
ORDER BY 1;

-- name: kpis_90d
SELECT d.full_date, sum(d.quantity) AS demand, sum(d.total_cost) AS value,
       count(DISTINCT d.item_id) AS items, count(*) AS series_days
FROM core.fact_demand_daily d
WHERE d.full_date BETWEEN date '2024-10-02' AND date '2024-12-30'
GROUP BY 1
ORDER BY 1;

-- name: stockouts
SELECT s.code, s.name, i.sku, i.name, v.current_stock, v.safety_stock,
       count(*) OVER () AS total_count
FROM core.fact_inventory_daily v
JOIN core.dim_item i ON i.item_id = v.item_id AND i.active
JOIN core.dim_site s ON s.site_id = v.site_id AND s.active
WHERE v.full_date = (SELECT max(full_date) FROM core.fact_inventory_daily)
  AND v.current_stock <= v.safety_stock
ORDER BY i.unit_price DESC, i.sku, s.code
LIMIT 100;

-- name: inventory_health
SELECT s.code, i.abc_class, count(*) AS items,
       count(*) FILTER (WHERE v.current_stock <= v.safety_stock) AS at_risk,
       count(*) FILTER (WHERE v.current_stock = 0) AS stockouts,
       round(sum(v.current_stock * i.unit_cost), 2) AS value
FROM core.fact_inventory_daily v
JOIN core.dim_item i ON i.item_id = v.item_id
JOIN core.dim_site s ON s.site_id = v.site_id
WHERE v.full_date = (SELECT max(full_date) FROM core.fact_inventory_daily)
GROUP BY s.code, i.abc_class
ORDER BY s.code, i.abc_class;

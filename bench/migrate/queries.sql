-- The dashboard's main queries (their shapes from src/server/handlers_*.cpp) written against
-- the legacy Spanish retail tables, so that one text runs on SQLite, DuckDB and PostgreSQL
-- (after `corrente migrate copy`). {day:COL} is each engine's date of a timestamp.
-- Data: tests/migrate/make_spanish_retail.py (2024-01-01 .. 2024-12-30).

-- name: items_list
-- GET /items?category=..&active=true&sort=name: a page of items and the total count.
SELECT p.id, p.codigo, p.descripcion, p.grupo, p.categoria, p.unidad, p.costo_centimos,
       p.precio_centimos, p.activo, count(*) OVER () AS total_count
FROM productos p
WHERE p.categoria = 'Alimentación' AND p.activo = true
ORDER BY p.descripcion, p.id
LIMIT 100 OFFSET 200;

-- name: items_search
-- GET /items?q=..: case-insensitive search on code and name.
SELECT p.id, p.codigo, p.descripcion, p.categoria, count(*) OVER () AS total_count
FROM productos p
WHERE lower(p.codigo) LIKE '%p012%' OR lower(p.descripcion) LIKE '%producto 12%'
ORDER BY p.id
LIMIT 100;

-- name: demand_item_90d
-- GET /demand/timeseries?item_id=..: one item's daily demand, all stores, last 90 days.
SELECT {day:v.fecha} AS dia, sum(v.cantidad) AS cantidad
FROM ventas v
WHERE v.producto_id = 'P01234' AND v.fecha >= '2024-10-02' AND v.fecha < '2024-12-31'
GROUP BY 1
ORDER BY 1;

-- name: demand_item_site_365d
-- GET /demand/timeseries?item_id=..&site_id=..: one series, a whole year.
SELECT {day:v.fecha} AS dia, sum(v.cantidad) AS cantidad
FROM ventas v
WHERE v.ubicacion_id = 'tienda_07' AND v.producto_id = 'P00321'
GROUP BY 1
ORDER BY 1;

-- name: demand_total_90d
-- GET /demand/timeseries (no filter): every sale of the last 90 days, by day.
SELECT {day:v.fecha} AS dia, sum(v.cantidad) AS cantidad
FROM ventas v
WHERE v.fecha >= '2024-10-02' AND v.fecha < '2024-12-31'
GROUP BY 1
ORDER BY 1;

-- name: kpis_90d
-- GET /analytics/kpis: per day demand, revenue, items sold and lines, last 90 days.
SELECT {day:v.fecha} AS dia, sum(v.cantidad) AS demanda, sum(v.venta_total) AS ventas,
       count(DISTINCT v.producto_id) AS productos, count(*) AS lineas
FROM ventas v
WHERE v.fecha >= '2024-10-02' AND v.fecha < '2024-12-31'
GROUP BY 1
ORDER BY 1;

-- name: stockouts
-- GET /inventory/snapshot?at_risk=true: items at or below their minimum, costliest first.
SELECT a.ubicacion_id, u.nombre, a.producto_id, p.descripcion, a.cantidad, a.stock_minimo,
       count(*) OVER () AS total_count
FROM inventario_actual a
JOIN productos p ON p.codigo = a.producto_id AND p.activo = true
JOIN ubicaciones u ON u.codigo = a.ubicacion_id AND u.activo = true
WHERE a.cantidad <= a.stock_minimo
ORDER BY p.precio_centimos DESC, a.producto_id, a.ubicacion_id
LIMIT 100;

-- name: inventory_health
-- GET /inventory/health: per store and ABC class, items, at risk, stockouts and stock value.
SELECT a.ubicacion_id, c.clase, count(*) AS items,
       sum(CASE WHEN a.cantidad <= a.stock_minimo THEN 1 ELSE 0 END) AS at_risk,
       sum(CASE WHEN a.cantidad = 0 THEN 1 ELSE 0 END) AS stockouts,
       round(sum(a.cantidad * p.costo_centimos) / 100.0, 2) AS valor
FROM inventario_actual a
JOIN productos p ON p.codigo = a.producto_id
LEFT JOIN clasificacion_abc c ON c.producto_id = a.producto_id AND c.ubicacion_id = a.ubicacion_id
GROUP BY a.ubicacion_id, c.clase
ORDER BY a.ubicacion_id, c.clase;

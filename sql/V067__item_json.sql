-- Each item's row of GET /api/v1/items as the API's row writer (AppendValue in
-- src/server/api.cpp) writes the columns of its statement (kItemColumns in
-- src/server/handlers_items.cpp), in their order, kept by PostgreSQL with the row. A list then
-- reads one text per item instead of formatting sixteen columns per request on both sides; the
-- column statement stays the reference (for CSV, and for the rows this leaves NULL).
-- Immutable expressions only (a generated column), so no setting changes a byte, every writer
-- (COPY, the pipeline, migrations) keeps it current, and no role can write it. A row whose text
-- holds a control character other than \n, \r and \t (the API writes those as \u00xx) gets
-- NULL, and a page holding such a row is answered by the column statement.
ALTER TABLE core.dim_item ADD COLUMN api_json text GENERATED ALWAYS AS (
  CASE WHEN (sku || name || coalesce(description, '') || coalesce(family, '') || coalesce(category, '') || coalesce(subcategory, '') || unit_measure || coalesce(abc_class::text, '')) ~ E'[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f]' THEN NULL ELSE
      '{"item_id":' || coalesce(item_id::text, 'null')
      || ',"sku":' || coalesce('"' || replace(replace(replace(replace(replace(sku, E'\\', E'\\\\'), '"', E'\\"'), E'\n', E'\\n'), E'\r', E'\\r'), E'\t', E'\\t') || '"', 'null')
      || ',"name":' || coalesce('"' || replace(replace(replace(replace(replace(name, E'\\', E'\\\\'), '"', E'\\"'), E'\n', E'\\n'), E'\r', E'\\r'), E'\t', E'\\t') || '"', 'null')
      || ',"description":' || coalesce('"' || replace(replace(replace(replace(replace(description, E'\\', E'\\\\'), '"', E'\\"'), E'\n', E'\\n'), E'\r', E'\\r'), E'\t', E'\\t') || '"', 'null')
      || ',"family":' || coalesce('"' || replace(replace(replace(replace(replace(family, E'\\', E'\\\\'), '"', E'\\"'), E'\n', E'\\n'), E'\r', E'\\r'), E'\t', E'\\t') || '"', 'null')
      || ',"category":' || coalesce('"' || replace(replace(replace(replace(replace(category, E'\\', E'\\\\'), '"', E'\\"'), E'\n', E'\\n'), E'\r', E'\\r'), E'\t', E'\\t') || '"', 'null')
      || ',"subcategory":' || coalesce('"' || replace(replace(replace(replace(replace(subcategory, E'\\', E'\\\\'), '"', E'\\"'), E'\n', E'\\n'), E'\r', E'\\r'), E'\t', E'\\t') || '"', 'null')
      || ',"unit_measure":' || coalesce('"' || replace(replace(replace(replace(replace(unit_measure, E'\\', E'\\\\'), '"', E'\\"'), E'\n', E'\\n'), E'\r', E'\\r'), E'\t', E'\\t') || '"', 'null')
      || ',"abc_class":' || coalesce('"' || replace(replace(replace(replace(replace(abc_class::text, E'\\', E'\\\\'), '"', E'\\"'), E'\n', E'\\n'), E'\r', E'\\r'), E'\t', E'\\t') || '"', 'null')
      || ',"criticality":' || coalesce(criticality::text, 'null')
      || ',"active":' || CASE WHEN active IS NULL THEN 'null' WHEN active THEN 'true' ELSE 'false' END
      || ',"unit_cost":' || CASE WHEN unit_cost IS NULL OR unit_cost::text IN ('NaN', 'Infinity', '-Infinity') THEN 'null' ELSE unit_cost::text END
      || ',"unit_price":' || CASE WHEN unit_price IS NULL OR unit_price::text IN ('NaN', 'Infinity', '-Infinity') THEN 'null' ELSE unit_price::text END
      || ',"supplier_id":' || coalesce(supplier_id::text, 'null')
      || ',"min_order_qty":' || CASE WHEN min_order_qty IS NULL OR min_order_qty::text IN ('NaN', 'Infinity', '-Infinity') THEN 'null' ELSE min_order_qty::text END
      || ',"max_order_qty":' || CASE WHEN max_order_qty IS NULL OR max_order_qty::text IN ('NaN', 'Infinity', '-Infinity') THEN 'null' ELSE max_order_qty::text END
      || '}'
  END) STORED;

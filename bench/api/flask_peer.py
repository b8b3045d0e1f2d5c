"""The specification's own API design (its section 4.3 and 8.1), as the benchmark's peer:
Flask + Flask-Caching ("simple", per process, keyed on the query string; 5 min for KPIs, 1 h
for forecasts) + SQLAlchemy (create_engine(pool_size=10, max_overflow=20), text() queries,
dict(row._mapping)) + PyJWT (HS256) behind gunicorn. Only the four benchmarked endpoints, each
running the same SQL as Corrente so the two do the same database work.

Run: DATABASE_URL=postgresql://... JWT_SECRET=... gunicorn -w 5 bench.api.flask_peer:app
JWT_SECRET is Corrente's HS256 secret, so one token works against both servers.
"""
import os
from functools import wraps

import jwt
from flask import Flask, jsonify, request
from flask_caching import Cache
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

app = Flask(__name__)
cache = Cache(app, config={"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300})
engine = create_engine(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1),
                       pool_size=10, max_overflow=20, pool_recycle=3600)
SessionLocal = sessionmaker(bind=engine)
SECRET_KEY = os.environ["JWT_SECRET"]


def token_required(roles=None):
    def decorator(f):
        @wraps(f)
        def wrapper(*args, **kwargs):
            token = request.headers.get("Authorization", "").replace("Bearer ", "")
            try:
                # Corrente's tokens carry iss/aud, which PyJWT checks when told to.
                payload = jwt.decode(token, SECRET_KEY, algorithms=["HS256"], audience="corrente-api", issuer="corrente")
                if roles and payload["role"] not in roles:
                    return jsonify({"error": "Insufficient permissions"}), 403
                return f(*args, **kwargs)
            except jwt.ExpiredSignatureError:
                return jsonify({"error": "Token expired"}), 401
            except jwt.InvalidTokenError:
                return jsonify({"error": "Invalid token"}), 401
        return wrapper
    return decorator


ANY_ROLE = ["ADMIN", "ANALYST", "VIEWER"]


def rows(sql, params):
    with SessionLocal() as session:
        return [dict(row._mapping) for row in session.execute(text(sql), params)]


def page_args():
    return min(int(request.args.get("limit", 100)), 1000), int(request.args.get("offset", 0))


@app.route("/api/v1/items", methods=["GET"])
@token_required(roles=ANY_ROLE)
@cache.cached(timeout=300, query_string=True)
def get_items():
    limit, offset = page_args()
    data = rows("""
        SELECT item_id, sku, name, description, family, category, subcategory, unit_measure, abc_class,
               criticality, active, unit_cost, unit_price, supplier_id, min_order_qty, max_order_qty,
               count(*) OVER () AS total_count
          FROM core.dim_item
         WHERE (CAST(:family AS text) IS NULL OR family = :family)
           AND (CAST(:abc_class AS text) IS NULL OR abc_class = :abc_class)
         ORDER BY item_id LIMIT :limit OFFSET :offset""",
                {"family": request.args.get("family"), "abc_class": request.args.get("abc_class"),
                 "limit": limit, "offset": offset})
    total = data[0]["total_count"] if data else 0
    for d in data:
        del d["total_count"]
    return jsonify({"status": "success", "data": data,
                    "metadata": {"total_count": total, "limit": limit, "offset": offset, "count": len(data)}})


@app.route("/api/v1/demand/timeseries", methods=["GET"])
@token_required(roles=ANY_ROLE)
@cache.cached(timeout=300, query_string=True)
def get_demand():
    item_id = int(request.args["item_id"])
    end = rows("SELECT coalesce(CAST(:e AS date), (SELECT full_date FROM core.fact_demand_daily"
               " ORDER BY full_date DESC LIMIT 1), current_date) AS e", {"e": request.args.get("end_date")})[0]["e"]
    start = request.args.get("start_date") or rows("SELECT CAST(:e AS date) - 89 AS s", {"e": end})[0]["s"]
    data = rows("""
        WITH d AS (SELECT full_date, sum(quantity) AS q FROM core.fact_demand_daily
                    WHERE item_id = :item_id AND full_date BETWEEN CAST(:s AS date) AND CAST(:e AS date)
                    GROUP BY full_date)
        SELECT g::date AS full_date, coalesce(sum(d.q), 0)::numeric(18,4) AS quantity
          FROM generate_series(CAST(:s AS date)::timestamp, CAST(:e AS date)::timestamp, interval '1 day') g
          LEFT JOIN d ON d.full_date = g::date GROUP BY 1 ORDER BY 1""", {"item_id": item_id, "s": start, "e": end})
    return jsonify({"status": "success", "data": data,
                    "metadata": {"total_count": len(data), "item_id": item_id, "site_id": None}})


@app.route("/api/v1/forecasts", methods=["GET"])
@token_required(roles=ANY_ROLE)
@cache.cached(timeout=3600, query_string=True)
def get_forecasts():
    limit, offset = page_args()
    data = rows("""
        SELECT f.full_date, f.item_id, f.site_id, f.horizon_days, f.yhat, f.yhat_lower, f.yhat_upper,
               f.yhat_lower_95, f.yhat_upper_95, f.confidence_level, f.model_tag, f.computed_at,
               count(*) OVER () AS total_count
          FROM analytics.forecasts f
         WHERE f.run_id = (SELECT run_id FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED'
                            ORDER BY finished_at DESC NULLS LAST, run_id DESC LIMIT 1)
           AND (CAST(:item_id AS int) IS NULL OR f.item_id = :item_id)
           AND (CAST(:site_id AS int) IS NULL OR f.site_id = :site_id)
         ORDER BY f.item_id, f.site_id, f.full_date LIMIT :limit OFFSET :offset""",
                {"item_id": request.args.get("item_id", type=int), "site_id": request.args.get("site_id", type=int),
                 "limit": limit, "offset": offset})
    total = data[0]["total_count"] if data else 0
    for d in data:
        del d["total_count"]
    computed = data[0]["computed_at"].isoformat() if data else None
    return jsonify({"status": "success", "data": data, "metadata": {"total_count": total, "computed_at": computed}})


@app.route("/api/v1/analytics/kpis", methods=["GET"])
@token_required(roles=ANY_ROLE)
@cache.cached(timeout=300, query_string=True)
def get_kpis():
    limit, offset = page_args()
    data = rows("""
        WITH b AS (SELECT coalesce(CAST(:e AS date), (SELECT max(full_date) FROM analytics.mv_kpis_latest), current_date) AS e)
        SELECT k.full_date, k.total_demand, k.stockout_rate, k.abc_a_share, k.delayed_orders_pct,
               k.forecast_mape, k.avg_inventory_value, k.computed_at, k.run_id
          FROM analytics.mv_kpis_latest k, b
         WHERE k.full_date BETWEEN coalesce(CAST(:s AS date), b.e - 89) AND b.e
         ORDER BY k.full_date LIMIT :limit OFFSET :offset""",
                {"s": request.args.get("start_date"), "e": request.args.get("end_date"), "limit": limit, "offset": offset})
    return jsonify({"status": "success", "data": data, "metadata": {"total_count": len(data)}})

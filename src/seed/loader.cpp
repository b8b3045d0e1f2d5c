#include "seed/loader.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>

#include "common/password.h"
#include "common/progress.h"
#include "pg/copy.h"
#include "schema/calendar.h"
#include "schema/partitions.h"

namespace corrente::seed {
namespace {

constexpr int kForecastHorizonDays = 120;

// Drops secondary indexes and foreign keys of a table and restores them on Restore().
class BulkLoadGuard {
 public:
  BulkLoadGuard(pg::Connection& c, const std::string& table) : conn_(c), table_(table) {
    auto ix = c.Execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
        " WHERE x.indrelid = $1::regclass AND NOT x.indisprimary", table);
    for (int r = 0; r < ix.Rows(); ++r) {
      restore_.push_back(ix.GetString(r, 1));
      drop_.push_back("DROP INDEX core." + c.QuoteIdentifier(ix.GetString(r, 0)));
    }
    auto fk = c.Execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f'",
        table);
    for (int r = 0; r < fk.Rows(); ++r) {
      std::string name = c.QuoteIdentifier(fk.GetString(r, 0));
      drop_.push_back("ALTER TABLE " + table + " DROP CONSTRAINT " + name);
      restore_.push_back("ALTER TABLE " + table + " ADD CONSTRAINT " + name + " " + fk.GetString(r, 1));
    }
    for (const auto& sql : drop_) c.ExecScript(sql);
  }
  void Restore() {
    auto t0 = std::chrono::steady_clock::now();
    for (const auto& sql : restore_) conn_.ExecScript(sql);
    spdlog::info("seed: rebuilt {} indexes and foreign keys of {} in {:.1f}s", restore_.size(), table_,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }

 private:
  pg::Connection& conn_;
  std::string table_;
  std::vector<std::string> drop_, restore_;
};

void Money(pg::CopyWriter& w, double v) { w.Numeric(v, 4); }

// COPYs `rows` into a fact table with its secondary indexes and foreign keys dropped for
// the load and rebuilt afterwards. Returns the number of rows the server took.
template <typename Row, typename WriteRow>
int64_t CopyFact(pg::Connection& conn, const std::string& table, const std::string& columns,
                 const std::vector<Row>& rows, Progress& progress, WriteRow write_row) {
  constexpr size_t kStep = 65536;
  BulkLoadGuard guard(conn, table);
  pg::CopyWriter w(conn, "COPY " + table + " (" + columns + ") FROM STDIN (FORMAT binary)");
  for (size_t i = 0; i < rows.size(); ++i) {
    write_row(w, rows[i]);
    if ((i + 1) % kStep == 0) progress.Advance(kStep);
  }
  int64_t n = w.Finish();
  progress.Advance(static_cast<int64_t>(rows.size() % kStep));
  guard.Restore();
  return n;
}

}  // namespace

bool HasData(pg::Connection& conn) {
  return conn.ExecScript(
                 "SELECT EXISTS (SELECT 1 FROM core.dim_item) OR EXISTS (SELECT 1 FROM core.fact_demand_daily)"
                 " OR EXISTS (SELECT 1 FROM core.fact_inventory_daily) OR EXISTS (SELECT 1 FROM core.fact_orders)")
      .GetBool(0, 0);
}

LoadReport Load(pg::Connection& conn, const Dataset& ds, bool force, bool demo_users) {
  LoadReport rep;
  pg::Transaction tx(conn);
  // Serialize concurrent seeds; the check below then sees the winner's data.
  conn.ExecScript("LOCK TABLE core.dim_item IN EXCLUSIVE MODE");
  if (HasData(conn) && !force)
    throw NotEmpty("the database already holds data; use --force to replace it");
  conn.ExecScript(
      "TRUNCATE analytics.forecasts, analytics.features_store, analytics.kpis_daily, analytics.recommendations,"
      " analytics.alerts, analytics.inventory_policy, analytics.forecast_accuracy, analytics.pipeline_runs,"
      " core.fact_demand_daily, core.fact_inventory_daily, core.fact_orders, core.dim_item, core.dim_site,"
      " core.dim_region, core.dim_supplier RESTART IDENTITY CASCADE");
  rep.calendar = schema::FillCalendar(conn, ds.first_day, ds.last_day + kForecastHorizonDays);
  schema::EnsureFactPartitions(conn, ds.first_day, ds.last_day + kForecastHorizonDays);

  {
    pg::CopyWriter w(conn, "COPY core.dim_region (name, state_code, economic_zone) FROM STDIN (FORMAT binary)");
    for (const auto& r : ds.regions) {
      w.StartRow(3);
      w.Text(r.name);
      w.Text(r.state_code);
      w.Text(r.economic_zone);
    }
    rep.regions = w.Finish();
  }
  {
    pg::CopyWriter w(conn, "COPY core.dim_site (code, name, region_id, latitude, longitude, site_type) FROM STDIN (FORMAT binary)");
    for (const auto& s : ds.sites) {
      w.StartRow(6);
      w.Text(s.code);
      w.Text(s.name);
      w.Int32(s.region);
      w.Numeric(s.lat, 6);
      w.Numeric(s.lon, 6);
      w.Text(s.type);
    }
    rep.sites = w.Finish();
  }
  {
    pg::CopyWriter w(conn,
                     "COPY core.dim_supplier (code, name, supplier_type, reliability_score, avg_lead_time_days,"
                     " on_time_delivery_rate) FROM STDIN (FORMAT binary)");
    for (const auto& s : ds.suppliers) {
      w.StartRow(6);
      w.Text(s.code);
      w.Text(s.name);
      w.Text(s.type);
      w.Numeric(s.reliability, 2);
      w.Int32(s.avg_lead_time);
      w.Numeric(s.on_time_rate, 2);
    }
    rep.suppliers = w.Finish();
  }
  {
    pg::CopyWriter w(conn,
                     "COPY core.dim_item (sku, name, family, category, subcategory, abc_class, criticality, unit_cost,"
                     " unit_price, supplier_id, min_order_qty, max_order_qty, extra_attributes) FROM STDIN (FORMAT binary)");
    for (const auto& it : ds.items) {
      w.StartRow(13);
      w.Text(it.sku);
      w.Text(it.name);
      w.Text(it.family);
      w.Text(it.category);
      w.Text(it.subcategory);
      w.Text(it.abc_class);
      w.Int16(static_cast<int16_t>(it.criticality));
      Money(w, it.unit_cost);
      Money(w, it.unit_price);
      w.Int32(it.supplier);
      Money(w, it.min_order_qty);
      Money(w, it.max_order_qty);
      w.Jsonb(std::string(R"({"demand_pattern": ")") + (it.intermittent ? "intermittent" : "smooth") + "\"}");
    }
    rep.items = w.Finish();
  }

  Progress progress("seed: facts", static_cast<int64_t>(ds.demand.size() + ds.inventory.size() + ds.orders.size()));
  rep.demand = CopyFact(conn, "core.fact_demand_daily",
                        "full_date, item_id, site_id, supplier_id, quantity, unit_cost, lead_time_days", ds.demand,
                        progress, [&](pg::CopyWriter& w, const DemandRow& d) {
                          const Item& it = ds.items[d.item - 1];
                          w.StartRow(7);
                          w.Date(d.day);
                          w.Int32(d.item);
                          w.Int32(d.site);
                          w.Int32(it.supplier);
                          w.NumericInt(static_cast<int64_t>(d.quantity));
                          Money(w, it.unit_cost);
                          w.Int32(ds.suppliers[it.supplier - 1].avg_lead_time);
                        });
  rep.inventory = CopyFact(conn, "core.fact_inventory_daily", "full_date, item_id, site_id, current_stock",
                           ds.inventory, progress, [](pg::CopyWriter& w, const InventoryRow& r) {
                             w.StartRow(4);
                             w.Date(r.day);
                             w.Int32(r.item);
                             w.Int32(r.site);
                             w.NumericInt(static_cast<int64_t>(r.stock));
                           });
  rep.orders = CopyFact(conn, "core.fact_orders",
                        "order_date, item_id, supplier_id, site_id, quantity, unit_price, status,"
                        " expected_delivery_date, actual_delivery_date",
                        ds.orders, progress, [](pg::CopyWriter& w, const OrderRow& o) {
                          w.StartRow(9);
                          w.Date(o.order_day);
                          w.Int32(o.item);
                          w.Int32(o.supplier);
                          w.Int32(o.site);
                          w.NumericInt(static_cast<int64_t>(o.quantity));
                          Money(w, o.unit_price);
                          w.Text(o.status);
                          w.Date(o.expected_day);
                          if (o.actual_day >= 0) w.Date(o.actual_day); else w.Null();
                        });
  progress.Finish();

  if (demo_users) {
    for (const char* role : {"ADMIN", "ANALYST", "VIEWER"}) {
      std::string name = role;
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (conn.Execute("SELECT 1 FROM support.users WHERE username = $1", name).Rows() > 0) {
        rep.users.push_back({name, role, ""});
        continue;
      }
      std::string pw = RandomPassword(16);
      conn.Execute("INSERT INTO support.users (username, email, password_hash, role) VALUES ($1, $2, $3, $4)", name,
                   name + "@demo.corrente.local", HashPassword(pw), std::string(role));
      rep.users.push_back({name, role, pw});
    }
  }
  tx.Commit();
  conn.ExecScript("ANALYZE core.dim_item, core.dim_site, core.fact_demand_daily, core.fact_inventory_daily, core.fact_orders");
  return rep;
}

}  // namespace corrente::seed

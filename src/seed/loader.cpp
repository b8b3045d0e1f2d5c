#include "seed/loader.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <thread>

#include "common/dates.h"
#include "common/password.h"
#include "common/progress.h"
#include "pg/copy.h"
#include "schema/calendar.h"
#include "schema/partitions.h"

namespace corrente::seed {
namespace {

constexpr int kForecastHorizonDays = 120;

void Money(pg::CopyWriter& w, double v) { w.Numeric(v, 4); }

// How a fact's monthly partitions are rebuilt in parallel: worker connections each build
// whole partitions as standalone tables in `staging` (COPY, then primary key and indexes,
// in one transaction each, so the WAL is skipped under wal_level=minimal); the seed's own
// transaction then swaps them in with ATTACH PARTITION. Until that transaction commits,
// readers see the previous data; if it fails, the staging tables are dropped.
struct FactSpec {
  std::string table;    // core.fact_x
  std::string name;     // fact_x
  std::string key;      // partition key column
  std::string columns;  // COPY column list, id first
  int16_t fields;
};

struct PartitionJob {
  const FactSpec* fact;
  int64_t month, next_month;    // [month, next_month) in days since 1970
  std::vector<uint32_t> rows;   // indices into the dataset's vector
  std::string staging_name;     // seed_fact_x_YYYY_MM
};

// Parent definitions the standalone tables must match for ATTACH to reuse their indexes.
struct ParentDdl {
  std::string primary_key;               // "PRIMARY KEY (a, b)"
  std::vector<std::string> index_tails;  // "USING btree (...) [WHERE ...]", with UNIQUE flag
  std::vector<bool> unique;
};

ParentDdl ReadParentDdl(pg::Connection& c, const std::string& table) {
  ParentDdl d;
  d.primary_key = c.Execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = $1::regclass"
                            " AND contype = 'p'", table).GetString(0, 0);
  auto ix = c.Execute("SELECT pg_get_indexdef(x.indexrelid), x.indisunique FROM pg_index x"
                      " WHERE x.indrelid = $1::regclass AND NOT x.indisprimary", table);
  for (int r = 0; r < ix.Rows(); ++r) {
    std::string def = ix.GetString(r, 0);
    d.index_tails.push_back(def.substr(def.find(" USING ")));
    d.unique.push_back(ix.GetBool(r, 1));
  }
  return d;
}

template <typename Row, typename WriteRow>
void BuildPartition(pg::Connection& c, const PartitionJob& job, const ParentDdl& ddl, const std::vector<Row>& rows,
                    WriteRow write_row, Progress& progress) {
  const std::string t = "staging." + c.QuoteIdentifier(job.staging_name);
  pg::Transaction tx(c);
  c.ExecScript("DROP TABLE IF EXISTS " + t);
  c.ExecScript("CREATE TABLE " + t + " (LIKE " + job.fact->table +
               " INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING CONSTRAINTS)");
  // The bound as a CHECK lets ATTACH PARTITION skip its validation scan.
  c.ExecScript("ALTER TABLE " + t + " ADD CONSTRAINT seed_bound CHECK (" + job.fact->key + " >= '" +
               FormatDate(job.month) + "' AND " + job.fact->key + " < '" + FormatDate(job.next_month) + "')");
  {
    pg::CopyWriter w(c, "COPY " + t + " (" + job.fact->columns + ") FROM STDIN (FORMAT binary)");
    for (uint32_t i : job.rows) write_row(w, rows[i], i);
    w.Finish();
  }
  // Named as the partition's key already: Citus cannot rename a distributed table's constraint.
  const std::string part = job.staging_name.substr(5);  // without "seed_"
  c.ExecScript("ALTER TABLE " + t + " ADD CONSTRAINT " + c.QuoteIdentifier(part + "_pkey") + " " + ddl.primary_key);
  for (size_t i = 0; i < ddl.index_tails.size(); ++i)
    c.ExecScript(std::string("CREATE ") + (ddl.unique[i] ? "UNIQUE " : "") + "INDEX ON " + t + ddl.index_tails[i]);
  c.ExecScript("ANALYZE " + t);  // here, in parallel; the partitions keep their statistics
  tx.Commit();
  progress.Advance(static_cast<int64_t>(job.rows.size()));
}

// Groups row indices by calendar month of `day(row)`.
template <typename Row, typename DayOf>
void AddJobs(const FactSpec& fact, const std::vector<Row>& rows, DayOf day_of, std::vector<PartitionJob>& jobs) {
  std::map<int64_t, PartitionJob> by_month;
  for (uint32_t i = 0; i < rows.size(); ++i) {
    Ymd d = CivilFromDays(day_of(rows[i]));
    int64_t month = DaysFromCivil({d.year, d.month, 1});
    auto [it, fresh] = by_month.try_emplace(month);
    if (fresh) {
      Ymd n = d.month == 12 ? Ymd{d.year + 1, 1, 1} : Ymd{d.year, d.month + 1, 1};
      char suffix[16];
      std::snprintf(suffix, sizeof suffix, "_%04d_%02d", d.year, d.month);
      it->second = PartitionJob{&fact, month, DaysFromCivil(n), {}, "seed_" + fact.name + suffix};
    }
    it->second.rows.push_back(i);
  }
  for (auto& [m, job] : by_month) jobs.push_back(std::move(job));
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
  static const FactSpec kDemand{"core.fact_demand_daily", "fact_demand_daily", "full_date",
                                "demand_id, full_date, item_id, site_id, supplier_id, quantity, unit_cost, lead_time_days", 8};
  static const FactSpec kInventory{"core.fact_inventory_daily", "fact_inventory_daily", "full_date",
                                   "inventory_id, full_date, item_id, site_id, current_stock", 5};
  static const FactSpec kOrders{"core.fact_orders", "fact_orders", "order_date",
                                "order_id, order_date, item_id, supplier_id, site_id, quantity, unit_price, status,"
                                " expected_delivery_date, actual_delivery_date", 10};
  std::vector<PartitionJob> jobs;
  AddJobs(kDemand, ds.demand, [](const DemandRow& r) { return r.day; }, jobs);
  AddJobs(kInventory, ds.inventory, [](const InventoryRow& r) { return r.day; }, jobs);
  AddJobs(kOrders, ds.orders, [](const OrderRow& r) { return r.order_day; }, jobs);
  // Biggest first, so the workers finish together.
  std::stable_sort(jobs.begin(), jobs.end(), [](const PartitionJob& a, const PartitionJob& b) { return a.rows.size() > b.rows.size(); });
  std::map<const FactSpec*, ParentDdl> ddl;
  for (const FactSpec* f : {&kDemand, &kInventory, &kOrders}) ddl[f] = ReadParentDdl(conn, f->table);

  auto write_demand = [&](pg::CopyWriter& w, const DemandRow& d, uint32_t i) {
    const Item& it = ds.items[d.item - 1];
    w.StartRow(8);
    w.Int64(i + 1);
    w.Date(d.day);
    w.Int32(d.item);
    w.Int32(d.site);
    w.Int32(it.supplier);
    w.NumericInt(static_cast<int64_t>(d.quantity));
    Money(w, it.unit_cost);
    w.Int32(ds.suppliers[it.supplier - 1].avg_lead_time);
  };
  auto write_inventory = [](pg::CopyWriter& w, const InventoryRow& r, uint32_t i) {
    w.StartRow(5);
    w.Int64(i + 1);
    w.Date(r.day);
    w.Int32(r.item);
    w.Int32(r.site);
    w.NumericInt(static_cast<int64_t>(r.stock));
  };
  auto write_order = [](pg::CopyWriter& w, const OrderRow& o, uint32_t i) {
    w.StartRow(10);
    w.Int64(i + 1);
    w.Date(o.order_day);
    w.Int32(o.item);
    w.Int32(o.supplier);
    w.Int32(o.site);
    w.NumericInt(static_cast<int64_t>(o.quantity));
    Money(w, o.unit_price);
    w.Text(o.status);
    w.Date(o.expected_day);
    if (o.actual_day >= 0) w.Date(o.actual_day); else w.Null();
  };

  Progress progress("seed: facts", static_cast<int64_t>(ds.demand.size() + ds.inventory.size() + ds.orders.size()));
  std::string conninfo = conn.ConnInfo();
  auto drop_staging = [&] {
    try {
      auto c = pg::Connection::Open(conninfo);
      for (const auto& j : jobs) c.ExecScript("DROP TABLE IF EXISTS staging." + c.QuoteIdentifier(j.staging_name));
    } catch (const std::exception& e) {
      spdlog::warn("seed: could not drop staging tables: {}", e.what());
    }
  };
  {
    std::atomic<size_t> next{0};
    std::mutex err_mu;
    std::exception_ptr first_error;
    int workers = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
    auto build_start = std::chrono::steady_clock::now();
    std::vector<std::jthread> pool;
    for (int t = 0; t < workers; ++t) {
      pool.emplace_back([&] {
        try {
          auto c = pg::Connection::Open(conninfo);
          for (size_t j; (j = next.fetch_add(1)) < jobs.size();) {
            const PartitionJob& job = jobs[j];
            if (job.fact == &kDemand) BuildPartition(c, job, ddl[&kDemand], ds.demand, write_demand, progress);
            else if (job.fact == &kInventory) BuildPartition(c, job, ddl[&kInventory], ds.inventory, write_inventory, progress);
            else BuildPartition(c, job, ddl[&kOrders], ds.orders, write_order, progress);
          }
        } catch (...) {
          std::lock_guard g(err_mu);
          if (!first_error) first_error = std::current_exception();
          next = jobs.size();  // stop the others
        }
      });
    }
    pool.clear();
    spdlog::info("seed: built {} partitions on {} connections in {:.1f}s", jobs.size(), workers,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - build_start).count());
    if (first_error) {
      drop_staging();
      std::rethrow_exception(first_error);
    }
  }
  // The partitions are built; now replace the data in this transaction. Building them
  // first matters: TRUNCATE locks the fact tables that the workers' LIKE reads.
  const bool rollup = conn.ExecScript(schema::kDemandRollupKeptSql).GetBool(0, 0);
  auto DropOldPartitions = [&] {
    for (const FactSpec* f : {&kDemand, &kInventory, &kOrders}) {
      auto parts = conn.Execute("SELECT c.oid::regclass::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                                " WHERE i.inhparent = $1::regclass AND c.relname <> $2", f->table, f->name + "_default");
      for (int r = 0; r < parts.Rows(); ++r) conn.ExecScript("DROP TABLE " + parts.GetString(r, 0));
    }
  };
  try {
    // With the demand rollup (V064) the old partitions go first, so that TRUNCATE has no rows
    // to take out of it one partition at a time (it empties the rollup). Citus has no rollup
    // and fails a TRUNCATE after such DROPs in one transaction: there they go after it.
    if (rollup) DropOldPartitions();
    conn.ExecScript(
        "TRUNCATE analytics.forecasts, analytics.features_store, analytics.kpis_daily, analytics.recommendations,"
        " analytics.alerts, analytics.inventory_policy, analytics.forecast_accuracy, analytics.pipeline_runs,"
        " core.fact_demand_daily, core.fact_inventory_daily, core.fact_orders, core.dim_item, core.dim_site,"
        " core.dim_region, core.dim_supplier RESTART IDENTITY CASCADE");
    rep.calendar = schema::FillCalendar(conn, ds.first_day, ds.last_day + kForecastHorizonDays);

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
    auto t0 = std::chrono::steady_clock::now();
    // Swap the new partitions in: the old ones hold nothing after the TRUNCATE above.
    if (!rollup) DropOldPartitions();
    for (const auto& job : jobs) {
      std::string part = job.fact->name + job.staging_name.substr(5 + job.fact->name.size());
      conn.ExecScript("ALTER TABLE staging." + conn.QuoteIdentifier(job.staging_name) + " SET SCHEMA core");
      conn.ExecScript("ALTER TABLE core." + conn.QuoteIdentifier(job.staging_name) + " RENAME TO " + conn.QuoteIdentifier(part));
      conn.ExecScript("ALTER TABLE " + job.fact->table + " ATTACH PARTITION core." + conn.QuoteIdentifier(part) +
                      " FOR VALUES FROM ('" + FormatDate(job.month) + "') TO ('" + FormatDate(job.next_month) + "')");
      conn.ExecScript("ALTER TABLE core." + conn.QuoteIdentifier(part) + " DROP CONSTRAINT seed_bound");
    }
    // ATTACH fires no trigger: the demand rollup (V064) gets the new partitions' totals here,
    // and they get its triggers, before EnsureFactPartitions' own writes.
    if (rollup) {
      conn.ExecScript("SELECT core.demand_rollup_guard(inhrelid::regclass) FROM pg_inherits"
                      " WHERE inhparent = 'core.fact_demand_daily'::regclass");
      conn.ExecScript("SELECT core.demand_rollup_rebuild()");
    }
    schema::EnsureFactPartitions(conn, ds.first_day, ds.last_day + kForecastHorizonDays);
    for (const FactSpec* f : {&kDemand, &kInventory, &kOrders}) {
      std::string id = f->columns.substr(0, f->columns.find(','));
      conn.ExecScript("SELECT setval(pg_get_serial_sequence('" + f->table + "', '" + id + "'), greatest(max(" + id +
                      "), 1)) FROM " + f->table);
    }
    spdlog::info("seed: attached {} partitions in {:.1f}s", jobs.size(),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  } catch (...) {
    tx.Rollback();
    drop_staging();
    throw;
  }
  rep.demand = static_cast<int64_t>(ds.demand.size());
  rep.inventory = static_cast<int64_t>(ds.inventory.size());
  rep.orders = static_cast<int64_t>(ds.orders.size());
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
  auto analyze_start = std::chrono::steady_clock::now();
  // The fact partitions were analyzed as they were built; analyzing the partitioned parents
  // would sample every partition again, so they are left to the first pipeline run.
  conn.ExecScript("ANALYZE core.dim_item, core.dim_site, core.dim_supplier, core.dim_region, core.dim_calendar");
  spdlog::info("seed: analyzed in {:.1f}s",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - analyze_start).count());
  return rep;
}

}  // namespace corrente::seed

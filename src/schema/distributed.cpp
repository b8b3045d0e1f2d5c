#include "schema/distributed.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "schema/migrations.h"

namespace corrente::schema {
namespace {

// The table's Citus placement: 'h' hash-distributed, 'n' reference (or Citus-managed local),
// empty when Citus does not know it.
std::string PartMethod(pg::Connection& conn, const std::string& table) {
  auto r = conn.Execute(
      "SELECT partmethod::text FROM pg_dist_partition WHERE logicalrelid = to_regclass($1)", table);
  return r.Rows() ? r.GetString(0, 0) : "";
}

bool IsReference(pg::Connection& conn, const std::string& table) {
  auto r = conn.Execute(
      "SELECT 1 FROM pg_dist_partition WHERE logicalrelid = to_regclass($1) AND repmodel = 't'", table);
  return r.Rows() > 0;
}

bool Placed(pg::Connection& conn, const Placement& p) {
  return p.distributed ? PartMethod(conn, p.table) == "h" : IsReference(conn, p.table);
}

// Runs `command` on every worker, outside Citus's DDL propagation; throws naming a worker
// where it failed.
void OnWorkers(pg::Connection& conn, const std::string& command) {
  auto r = conn.Execute(
      "SELECT nodename || ':' || nodeport || ' ' || result FROM run_command_on_workers($1)"
      " WHERE NOT success",
      "SET citus.enable_ddl_propagation TO off; " + command);
  if (r.Rows() > 0) throw std::runtime_error("on worker " + r.GetString(0, 0) + ": " + command);
}

// What the nodes need beyond the tables; idempotent, so it also covers workers added later.
void NodeSettings(pg::Connection& conn, std::vector<std::string>& report) {
  const std::string db = conn.ExecScript("SELECT current_database()").GetString(0, 0);
  // The facts reference the dimensions: Citus refuses a transaction that writes both over
  // parallel connections, so every session of this database uses one connection per node.
  if (conn.ExecScript("SELECT 1 FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase"
                      " WHERE d.datname = current_database() AND s.setrole = 0"
                      " AND 'citus.multi_shard_modify_mode=sequential' = ANY(s.setconfig)")
          .Rows() == 0) {
    conn.ExecScript("ALTER DATABASE " + conn.QuoteIdentifier(db) +
                    " SET citus.multi_shard_modify_mode = 'sequential'");
    report.push_back("database " + db + ": citus.multi_shard_modify_mode = sequential");
  }
  // A least-privilege role that writes a reference table referencing another (dim_item ->
  // dim_supplier) has Citus lock the other's shard, which its own check allows only to roles
  // that may modify it. The lock is internal; the grants still decide every read and write.
  OnWorkers(conn, "ALTER DATABASE " + conn.QuoteIdentifier(db) +
                      " SET citus.skip_advisory_lock_permission_checks = on");
  // Sessions act as their group role (SET ROLE), and Citus reaches the workers as that role:
  // there the group roles log in (from the coordinator; pg_hba and pg_dist_authinfo say how).
  auto roles = conn.ExecScript(
      "SELECT rolname FROM pg_roles WHERE rolname IN"
      " ('corrente_owner', 'corrente_api', 'corrente_pipeline', 'corrente_migrate') ORDER BY 1");
  for (int i = 0; i < roles.Rows(); ++i)
    OnWorkers(conn, "ALTER ROLE " + conn.QuoteIdentifier(roles.GetString(i, 0)) + " LOGIN");
}

}  // namespace

const std::vector<Placement>& DistributedPlan() {
  static const std::vector<Placement> plan = {
      {"core.dim_region", false},          {"core.dim_supplier", false},
      {"core.dim_calendar", false},        {"core.dim_item", false},
      {"core.dim_site", false},            {"analytics.pipeline_runs", false},
      {"analytics.kpis_daily", false},     {"analytics.simulation_runs", false},
      {"support.users", false},            {"support.revoked_tokens", false},
      {"support.audit_logs", false},
      // override_baselines has no item_id and references overrides' key: both stay whole on
      // every node, so the foreign key between them is kept as it is.
      {"analytics.overrides", false},      {"analytics.override_baselines", false},
      // A run-level alert (PIPELINE_FAILED) has no item, hence no shard: alerts stay whole
      // on every node, one row per open problem (small beside the facts), item_id nullable.
      {"analytics.alerts", false},
      // The run's totals per site and day (V073): small, read whole by the API.
      {"analytics.forecast_totals", false},
      {"core.fact_demand_daily", true},    {"core.fact_inventory_daily", true},
      {"core.fact_orders", true},          {"analytics.forecasts", true},
      {"analytics.features_store", true},  {"analytics.inventory_policy", true},
      {"analytics.forecast_accuracy", true}, {"analytics.recommendations", true},
      {"analytics.forecast_pages", true},
      // What pipeline workers stage for the publish (V062); the work tables stay local.
      {"analytics.pipeline_features", true}, {"analytics.pipeline_recommendations", true},
      {"analytics.pipeline_alerts", true},
  };
  return plan;
}

bool HasCitus(pg::Connection& conn) {
  return conn.ExecScript("SELECT 1 FROM pg_extension WHERE extname = 'citus'").Rows() > 0;
}

bool IsDistributed(pg::Connection& conn) {
  if (!HasCitus(conn)) return false;
  for (const auto& p : DistributedPlan())
    if (!PartMethod(conn, p.table).empty()) return true;
  return false;
}

bool IsDistributedTable(pg::Connection& conn, const std::string& table) {
  if (conn.ExecScript("SELECT to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL").GetBool(0, 0) == false)
    return false;
  return PartMethod(conn, table) == "h";
}

std::vector<std::string> Distribute(pg::Connection& conn) {
  // Citus runs no statement triggers with transition tables on distributed tables: the demand
  // rollup's triggers (V064) go, and the API reads the series from the fact again.
  if (conn.ExecScript("SELECT to_regprocedure('core.demand_rollup_dml()') IS NOT NULL").GetBool(0, 0))
    conn.ExecScript(
        "BEGIN; DROP FUNCTION core.demand_rollup_dml() CASCADE;"
        " DROP FUNCTION core.demand_rollup_truncate() CASCADE;"
        " DROP FUNCTION core.demand_rollup_truncate_partition() CASCADE;"
        " TRUNCATE core.demand_item_daily; COMMIT");
  std::vector<std::string> report = DistributeTables(conn, DistributedPlan(), "item_id");
  NodeSettings(conn, report);
  for (const auto& line : report) spdlog::info("distributed layer: {}", line);
  return report;
}

std::vector<std::string> DistributeTables(pg::Connection& conn, const std::vector<Placement>& plan,
                                          const std::string& column) {
  if (!HasCitus(conn))
    throw std::runtime_error(
        "the citus extension is not installed in this database: run CREATE EXTENSION citus on the "
        "coordinator and every worker, and add the workers (docs/scale.md)");
  std::vector<std::string> report;
  pg::Transaction tx(conn);
  conn.Execute("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
  // One connection per node for the whole transaction, so that DDL may follow the copies.
  conn.ExecScript("SET LOCAL citus.multi_shard_modify_mode = 'sequential'");
  // V058's updated_at triggers go with the tables to their shards (Citus refuses tables with
  // triggers otherwise); the trigger only sets a column of its own row.
  conn.ExecScript("SET LOCAL citus.enable_unsafe_triggers = on");
  std::vector<const Placement*> todo;
  const std::string quoted = conn.Execute("SELECT quote_ident($1)", column).GetString(0, 0);
  std::string colocate_with;  // the plan's first distributed table
  for (const auto& p : plan)
    if (p.distributed && colocate_with.empty()) colocate_with = p.table;
  for (const auto& p : plan) {
    if (conn.Execute("SELECT to_regclass($1) IS NOT NULL", p.table).GetBool(0, 0) && !Placed(conn, p))
      todo.push_back(&p);
  }
  if (todo.empty()) {
    tx.Commit();
    return report;
  }
  // The foreign keys touching the plan's tables are dropped, and re-added once every table is
  // placed, so that no table is converted while it references a plain local table.
  std::string tables = "{";  // a text[] literal: each name quoted, its " and \ escaped
  for (const auto& p : plan) {
    tables += tables.size() > 1 ? ",\"" : "\"";
    for (char c : p.table) tables += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    tables += "\"";
  }
  tables += "}";
  auto fks = conn.Execute(
      "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c"
      " WHERE c.contype = 'f' AND c.conparentid = 0"
      " AND (c.conrelid = ANY(SELECT to_regclass(t) FROM unnest($1::text[]) t)"
      "   OR c.confrelid = ANY(SELECT to_regclass(t) FROM unnest($1::text[]) t))"
      " ORDER BY 1, 2",
      tables);
  for (int i = 0; i < fks.Rows(); ++i)
    conn.ExecScript("ALTER TABLE " + fks.GetString(i, 0) + " DROP CONSTRAINT " +
                    conn.QuoteIdentifier(fks.GetString(i, 1)));
  for (const Placement* p : todo) {
    const std::string table = p->table;
    if (!p->distributed) {
      // Distributed by an earlier version of this layer (alerts were): made whole again.
      const bool was_hashed = PartMethod(conn, table) == "h";
      if (was_hashed) conn.Execute("SELECT undistribute_table($1::regclass)", table);
      conn.Execute("SELECT create_reference_table($1::regclass)", table);
      report.push_back(table + ": reference table" + (was_hashed ? " (was distributed)" : ""));
      continue;
    }
    bool nullable = conn.Execute(
                            "SELECT NOT attnotnull FROM pg_attribute WHERE attrelid = $1::regclass"
                            " AND attname = $2",
                            table, column)
                        .GetBool(0, 0);
    // A unique key must hold the distribution column to be enforced on each shard.
    auto keys = conn.Execute(
        "SELECT c.conname, c.contype::text, pg_get_constraintdef(c.oid),"
        " (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord)"
        "    FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)"
        "    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum)"
        " FROM pg_constraint c WHERE c.conrelid = $1::regclass AND c.contype IN ('p', 'u')"
        " AND c.conparentid = 0 AND NOT EXISTS (SELECT 1 FROM pg_attribute a"
        "   WHERE a.attrelid = c.conrelid AND a.attname = $2 AND a.attnum = ANY(c.conkey))"
        " ORDER BY 1",
        table, column);
    for (int i = 0; i < keys.Rows(); ++i) {
      std::string name = conn.QuoteIdentifier(keys.GetString(i, 0));
      std::string kind = keys.GetString(i, 1) == "p" ? "PRIMARY KEY" : "UNIQUE";
      std::string cols = keys.GetString(i, 3) + ", " + quoted;
      conn.ExecScript("ALTER TABLE " + table + " DROP CONSTRAINT " + name + ", ADD CONSTRAINT " + name +
                      " " + kind + " (" + cols + ")");
      report.push_back(table + ": " + keys.GetString(i, 2) + " cannot be enforced across shards; now " +
                       kind + " (" + cols + "), the id stays unique through its sequence");
    }
    // A unique index that is no constraint and lacks the column cannot be kept: refuse.
    auto idx = conn.Execute(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE i.indrelid = $1::regclass AND i.indisunique"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
        " AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indrelid"
        "   AND a.attname = $2 AND a.attnum = ANY(i.indkey::int2[]))",
        table, column);
    if (idx.Rows() > 0)
      throw std::runtime_error(table + ": unique index " + idx.GetString(0, 0) + " lacks " + column +
                               " and cannot be enforced on a distributed table");
    if (table == colocate_with)
      conn.Execute("SELECT create_distributed_table($1::regclass, $2)", table, column);
    else
      conn.Execute("SELECT create_distributed_table($1::regclass, $2, colocate_with => $3)", table,
                   column, colocate_with);
    report.push_back(table + ": distributed by " + column + ", co-located with " + colocate_with +
                     (nullable ? "; " + column + " was nullable: a row without " +
                                     (column == "item_id" ? std::string("an item") : column) +
                                     " is now refused (it has no shard)"
                               : ""));
  }
  for (int i = 0; i < fks.Rows(); ++i)
    conn.ExecScript("ALTER TABLE " + fks.GetString(i, 0) + " ADD CONSTRAINT " +
                    conn.QuoteIdentifier(fks.GetString(i, 1)) + " " + fks.GetString(i, 2));
  tx.Commit();
  return report;
}

}  // namespace corrente::schema

#pragma once
// The plan: for each source table, the target table (columns with their type decisions,
// keys, indexes, checks, foreign keys), its DDL and warnings. Column types come from the
// source's TypeMapping (types.h); values are converted by values.h. Pure apart from
// reading the source's catalog; thread-safe.
#include <optional>
#include <string>
#include <vector>

#include "migrate/source.h"
#include "migrate/types.h"
#include "migrate/values.h"

namespace corrente::migrate {

struct IndexPlan {
  std::string name;
  std::vector<std::string> columns;
  bool unique = false;
  bool gist = false;      // a MySQL SPATIAL index on PostGIS geometry
  bool fulltext = false;  // a MySQL FULLTEXT index: GIN on to_tsvector('simple', ...)
  // Per column (empty: none): a MySQL prefix length kept by a unique index, as
  // substring(col, 1, n) (0: the whole column), and a descending part.
  std::vector<int> prefix = {};
  std::vector<bool> descending = {};
};

// "CREATE [UNIQUE] INDEX name ON q [USING gist] (columns)", or a FULLTEXT index's GIN.
std::string CreateIndexSql(const IndexPlan& ix, const std::string& q);

struct ForeignKeyPlan {
  std::string name;
  std::vector<std::string> columns;
  std::string ref_table;
  std::vector<std::string> ref_columns;
  std::string on_delete, on_update;
};

struct TablePlan {
  SourceTable source;
  std::string name;  // target table name (the source's, unchanged)
  std::vector<ColumnPlan> columns;
  std::vector<std::string> primary_key;
  std::string primary_key_name;
  std::vector<IndexPlan> indexes;
  std::vector<std::string> checks;  // translated table CHECK expressions (may still fail)
  std::vector<ForeignKeyPlan> foreign_keys;
  // Foreign keys PostgreSQL cannot hold (they reference columns that are not a primary key
  // or unique in the source, which InnoDB and SQLite allow): left out, with a plan warning;
  // verify counts the rows without a match (ForeignKeyOrphansSql).
  std::vector<ForeignKeyPlan> foreign_keys_left_out;
  std::vector<std::string> warnings;
};

struct PlanOptions {
  ZeroDatePolicy zero_dates = ZeroDatePolicy::kNull;
  bool strict = false;              // keep declared types (no scan of the values)
  InvalidTextPolicy invalid_text = InvalidTextPolicy::kReject;  // kBytea widens text columns
  // Target names chosen by hand: "table.column=name" or "table=name" (source names).
  std::vector<std::string> renames;
  std::vector<std::string> tables;  // empty: all
  bool postgis = false;  // the target has the postgis extension: spatial columns -> geometry
  // With kBytea: read every row's text for bytes that are not UTF-8, not only the sample
  // (plan and copy; the other commands take the copy's recorded choices).
  bool check_all_text = false;
};

// Builds the plan for every selected table. Reads the source (catalog, and for MySQL
// tinyint(1) a scan for values other than 0/1) but never writes.
std::vector<TablePlan> BuildPlan(Source& source, const PlanOptions& options);

// CREATE TABLE text (columns, NOT NULL, DEFAULT, identity), without keys or indexes.
std::string CreateTableSql(const TablePlan& t, const std::string& schema);
// The statements that give each ON UPDATE CURRENT_TIMESTAMP column of `t` its trigger: the
// column takes the current time when a row changes and the update does not set it (as MySQL
// does), except in sync passes (corrente.sync = 'on'), which carry the source's values.
std::vector<std::string> OnUpdateTriggerSql(const TablePlan& t, const std::string& schema);
// SELECT count(*) of the rows of `t` whose foreign key `fk` (all its columns set) has no
// matching row in the target: the check a foreign key left out no longer makes.
std::string ForeignKeyOrphansSql(const TablePlan& t, const ForeignKeyPlan& fk,
                                 const std::string& schema);
// COMMENT ON TABLE / COLUMN statements for the source's comments (MySQL).
std::vector<std::string> CommentSql(const TablePlan& t, const std::string& schema);
// Human-readable plan: DDL, decisions and warnings for every table.
std::string RenderPlan(const std::vector<TablePlan>& plans, const std::string& schema);

}  // namespace corrente::migrate

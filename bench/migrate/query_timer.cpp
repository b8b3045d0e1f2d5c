// Benchmark helper (not a test): query_timer sqlite|duckdb|pg TARGET RUNS QUERIES.sql
// Runs each query of the file RUNS times on one connection, after one warm-up run, reading
// every value of every row as text (what an API does before it writes JSON), and prints
// "name median_ms min_ms rows" per query. TARGET is a file (sqlite, duckdb) or a conninfo
// (pg). The file holds blocks that start with "-- name: NAME"; "{day:COL}" in a query becomes
// the engine's date-of-a-timestamp expression (SQLite has no DATE type: date(COL)).
#include <duckdb.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <regex>
#include <string>
#include <vector>

#include "pg/pg.h"

namespace {

struct Query {
  std::string name, sql;
};

std::vector<Query> ReadQueries(const std::string& path, const std::string& engine) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<Query> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("-- name: ", 0) == 0)
      out.push_back({line.substr(9), ""});
    else if (!out.empty() && line.rfind("--", 0) != 0)
      out.back().sql += line + "\n";
  }
  static const std::regex day(R"(\{day:([A-Za-z_.]+)\})");
  for (auto& q : out)
    q.sql = std::regex_replace(q.sql, day, engine == "sqlite" ? "date($1)" : "CAST($1 AS DATE)");
  return out;
}

// Runs `q` once and returns its row count; throws on an error.
using Runner = std::function<int64_t(const std::string&)>;

Runner SqliteRunner(const std::string& file) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    throw std::runtime_error("sqlite: cannot open " + file);
  return [db](const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db));
    int64_t rows = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      ++rows;
      for (int c = 0; c < sqlite3_column_count(st); ++c) sqlite3_column_text(st, c);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db));
    return rows;
  };
}

Runner DuckdbRunner(const std::string& file) {
  auto* db = new duckdb_database;
  auto* con = new duckdb_connection;
  duckdb_config config;
  duckdb_create_config(&config);
  duckdb_set_config(config, "access_mode", "READ_ONLY");
  char* err = nullptr;
  if (duckdb_open_ext(file.c_str(), db, config, &err) != DuckDBSuccess ||
      duckdb_connect(*db, con) != DuckDBSuccess)
    throw std::runtime_error("duckdb: cannot open " + file + ": " + (err ? err : ""));
  duckdb_destroy_config(&config);
  return [con](const std::string& sql) {
    duckdb_result res;
    if (duckdb_query(*con, sql.c_str(), &res) != DuckDBSuccess) {
      std::string e = duckdb_result_error(&res);
      duckdb_destroy_result(&res);
      throw std::runtime_error("duckdb: " + e);
    }
    idx_t rows = duckdb_row_count(&res), cols = duckdb_column_count(&res);
    for (idx_t r = 0; r < rows; ++r)
      for (idx_t c = 0; c < cols; ++c) {
        char* v = duckdb_value_varchar(&res, c, r);
        duckdb_free(v);
      }
    duckdb_destroy_result(&res);
    return static_cast<int64_t>(rows);
  };
}

Runner PgRunner(const std::string& conninfo) {
  auto conn = std::make_shared<corrente::pg::Connection>(corrente::pg::Connection::Open(conninfo));
  return [conn](const std::string& sql) {
    // libpq has received every row, as text, when Exec returns.
    return static_cast<int64_t>(conn->Exec(sql, {}).Rows());
  };
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: query_timer sqlite|duckdb|pg TARGET RUNS QUERIES.sql\n";
    return 2;
  }
  std::string engine = argv[1];
  int runs = std::max(1, std::atoi(argv[3]));
  try {
    Runner run = engine == "sqlite"   ? SqliteRunner(argv[2])
                 : engine == "duckdb" ? DuckdbRunner(argv[2])
                 : engine == "pg"     ? PgRunner(argv[2])
                                      : throw std::runtime_error("unknown engine " + engine);
    for (const auto& q : ReadQueries(argv[4], engine)) {
      int64_t rows = run(q.sql);  // warm-up: caches and plans, as a running server has them
      std::vector<double> ms;
      for (int i = 0; i < runs; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        rows = run(q.sql);
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
      }
      std::sort(ms.begin(), ms.end());
      std::printf("%s %.2f %.2f %lld\n", q.name.c_str(), ms[ms.size() / 2], ms[0],
                  static_cast<long long>(rows));
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::cerr << "query_timer: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

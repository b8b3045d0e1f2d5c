// Test helper: duckdb_exec FILE.duckdb < script.sql runs the statements (one per line ending
// in ';') against a DuckDB file, to build fixtures without the duckdb CLI.
#include <duckdb.h>

#include <iostream>
#include <iterator>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: duckdb_exec FILE.duckdb < script.sql\n";
    return 2;
  }
  duckdb_database db;
  duckdb_connection con;
  if (duckdb_open(argv[1], &db) != DuckDBSuccess || duckdb_connect(db, &con) != DuckDBSuccess) {
    std::cerr << "cannot open " << argv[1] << "\n";
    return 1;
  }
  std::string sql((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  duckdb_result res;
  int rc = 0;
  if (duckdb_query(con, sql.c_str(), &res) != DuckDBSuccess) {
    std::cerr << duckdb_result_error(&res) << "\n";
    rc = 1;
  }
  duckdb_destroy_result(&res);
  duckdb_disconnect(&con);
  duckdb_close(&db);
  return rc;
}

#pragma once
// Binary COPY in and out (PostgreSQL's binary copy format). The writer buffers rows and
// streams them with PQputCopyData; the reader decodes one tuple per call. Both own their
// COPY state on the borrowed Connection: finish or destroy them before using it again.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg/pg.h"

namespace corrente::pg {

constexpr int64_t kPgEpochDays = 10957;                 // 2000-01-01 in days since 1970
constexpr int64_t kPgEpochMicros = 946684800000000LL;  // the same in microseconds

// Encodes a decimal string ("-12.3400") into NUMERIC's binary wire format.
std::string EncodeNumeric(std::string_view decimal);
// Decodes NUMERIC binary into a double (NaN for 'NaN').
double DecodeNumeric(std::string_view bytes);

class CopyWriter {
 public:
  // `copy_sql` is "COPY t (a, b) FROM STDIN (FORMAT binary)".
  CopyWriter(Connection& conn, const std::string& copy_sql);
  ~CopyWriter();  // aborts the COPY unless Finish() was called
  CopyWriter(const CopyWriter&) = delete;
  CopyWriter& operator=(const CopyWriter&) = delete;

  void StartRow(int16_t fields);
  void Null();
  void Int16(int16_t v);
  void Int32(int32_t v);
  void Int64(int64_t v);
  void Float8(double v);
  void Bool(bool v);
  void Text(std::string_view v);
  void Jsonb(std::string_view json);
  void Date(int64_t days_since_1970);
  void Timestamp(int64_t micros_since_1970);  // timestamp and timestamptz
  void Numeric(double v, int scale);          // rounds to `scale` decimals
  void NumericText(std::string_view decimal);
  void NumericInt(int64_t v);  // fast path for whole numbers
  void Raw(std::string_view bytes);  // a field already in binary form

  // Ends the COPY; returns the number of rows the server took. Throws on any error.
  int64_t Finish();
  int64_t RowsWritten() const { return rows_; }

 private:
  void Put32(int32_t v);
  void Flush();

  Connection& conn_;
  std::string buf_;
  int64_t rows_ = 0;
  bool done_ = false;
};

class CopyReader {
 public:
  // `copy_sql` is "COPY (SELECT ...) TO STDOUT (FORMAT binary)". Parameters cannot be used
  // with COPY, so the query must be built from trusted text only.
  CopyReader(Connection& conn, const std::string& copy_sql);
  ~CopyReader();
  CopyReader(const CopyReader&) = delete;
  CopyReader& operator=(const CopyReader&) = delete;

  // Reads the next tuple; false at the end. Field views stay valid until the next call.
  bool Next();
  int Fields() const { return static_cast<int>(fields_.size()); }
  bool IsNull(int i) const { return !fields_[i].has_value(); }
  std::string_view Bytes(int i) const { return *fields_[i]; }
  int32_t Int32(int i) const;
  int64_t Int64(int i) const;  // int2, int4 or int8 by length
  double Float8(int i) const;
  double Numeric(int i) const { return DecodeNumeric(*fields_[i]); }
  int64_t Date(int i) const { return Int32(i) + kPgEpochDays; }
  std::string_view Text(int i) const { return *fields_[i]; }

 private:
  Connection& conn_;
  char* row_ = nullptr;
  bool header_seen_ = false;
  bool done_ = false;
  std::vector<std::optional<std::string_view>> fields_;
};

}  // namespace corrente::pg

#pragma once
// Values: how each source value becomes a target value (for COPY BINARY) and its canonical
// text (for checksums). Canonical text is exactly what PostgreSQL prints for the stored
// value under the session settings of kSessionSetup (ISO dates, UTC, hex bytea), with
// floats re-rendered as the shortest round-trip form and numerics without trailing zeros,
// so that both sides of a verify hash the same bytes. Pure functions; thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migrate/types.h"
#include "pg/copy.h"

namespace corrente::migrate {

// The converted value of one source field.
struct TargetValue {
  bool null = true;
  int64_t i = 0;  // ints, bool, date (days since 1970), timestamps/time/interval (micros)
  double d = 0;
  std::string s;  // numeric text, text, bytea bytes, uuid text
};

struct ConvertContext {
  ZeroDatePolicy zero_dates = ZeroDatePolicy::kNull;
  InvalidTextPolicy invalid_text = InvalidTextPolicy::kReject;
};

// `s` with every byte that is not part of a UTF-8 sequence written as \xNN (e.g. "\xE1").
std::string EscapeInvalidUtf8(std::string_view s);

// Converts `v` for `col`. Returns an error reason when the value cannot be carried over
// exactly (the row is then rejected). `note` is set when the value changed by policy
// (a zero date became NULL).
std::optional<std::string> ConvertValue(const ColumnPlan& col, const SourceValue& v,
                                        const ConvertContext& ctx, TargetValue* out,
                                        std::string* note);
// Writes `tv` as the binary COPY field of `col`'s type.
void WriteValue(pg::CopyWriter& w, const ColumnPlan& col, const TargetValue& tv);
// Starts a binary COPY row and writes the fields of `cols` that the copy writes (all but the
// generated columns PostgreSQL computes), from the converted row `vals`.
void WriteRow(pg::CopyWriter& w, const std::vector<ColumnPlan>& cols,
              const std::vector<TargetValue>& vals);
// Appends the canonical text of `tv` (must not be null).
void AppendCanonical(const ColumnPlan& col, const TargetValue& tv, std::string* out);
// Canonicalizes PostgreSQL's text output of a value of `col`'s type.
void CanonicalFromPg(const ColumnPlan& col, std::string_view pg_text, std::string* out);

// Helpers shared with the sources and tests.
std::string Latin1ToUtf8(std::string_view s);  // MySQL latin1 is cp1252
std::string ShortestDouble(double d);
void AppendShortestDouble(double d, std::string* out);
std::string NormalizeDecimal(std::string_view s);
void AppendNormalizedDecimal(std::string_view s, std::string* out);
std::string FormatTimestamp(int64_t micros);  // "2009-01-01 00:00:00[.5]"
void AppendTimestamp(int64_t micros, std::string* out);
std::optional<int64_t> ParseTimestamp(std::string_view s);  // ISO date, date-time
std::optional<int64_t> ParseDate(std::string_view s);       // days since 1970

// Session settings that make PostgreSQL's text output canonical.
constexpr const char* kSessionSetup =
    "SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET extra_float_digits = 1; "
    "SET bytea_output = 'hex'; SET IntervalStyle = 'postgres'; SET client_encoding = 'UTF8'";

}  // namespace corrente::migrate

#pragma once
// COPY ... TO STDOUT in PostgreSQL's text format, read row by row: fields split on tabs,
// "\N" as NULL, backslash escapes undone. Owns the COPY state on the borrowed Connection:
// destroy it before using the connection again. Not thread-safe.
#include <string>
#include <string_view>
#include <vector>

#include "pg/pg.h"

namespace corrente::pg {

// Undoes the text format's backslash escapes of one field (\n \t \r \b \f \v, and \x for
// any other x). Returns a view of `scratch` when anything changed, else of `field`.
std::string_view UnescapeCopyText(std::string_view field, std::string* scratch);

// Splits one text-format line (without its newline) into fields; NULL fields ("\N") are
// marked in `nulls`, escaped ones unescaped into `scratch` (one string per field).
void SplitCopyTextLine(std::string_view line, std::vector<std::string_view>* fields,
                       std::vector<char>* nulls, std::vector<std::string>* scratch);

class TextCopyReader {
 public:
  // `copy_sql` is "COPY (SELECT ...) TO STDOUT" (text format), built from trusted text only.
  TextCopyReader(Connection& conn, const std::string& copy_sql);
  ~TextCopyReader();  // drains the COPY when it was not read to the end
  TextCopyReader(const TextCopyReader&) = delete;
  TextCopyReader& operator=(const TextCopyReader&) = delete;

  // Reads the next row; false at the end. Field views stay valid until the next call.
  bool Next();
  bool IsNull(int i) const { return nulls_[i] != 0; }
  std::string_view Field(int i) const { return fields_[i]; }

 private:
  Connection& conn_;
  char* buf_ = nullptr;
  bool done_ = false;
  std::vector<std::string_view> fields_;
  std::vector<std::string> scratch_;
  std::vector<char> nulls_;
};

}  // namespace corrente::pg

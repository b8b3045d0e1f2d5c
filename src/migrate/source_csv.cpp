// CSV source: a directory of *.csv files, one table each (named by the file stem), with a
// header row. RFC 4180 quoting (embedded separators, quotes and newlines), a UTF-8 BOM is
// skipped, CRLF or LF (or CR, when the header ends with a lone CR). An empty unquoted field
// is NULL; a quoted "" is the empty string. Column types are inferred from every value; a
// record with the wrong number of fields, or one the file ends inside the quotes of (a cut
// file), is rejected with its line number.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "migrate/plan.h"
#include "migrate/source.h"
#include "migrate/types.h"

namespace corrente::migrate {
namespace {

class CsvReader {
 public:
  explicit CsvReader(const std::string& path) : in_(path, std::ios::binary) {
    if (!in_) throw std::runtime_error("csv: cannot open " + path);
    buf_.resize(1 << 16);
    Fill();
    if (len_ >= 3 && buf_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;
  }
  // Reads one record; false at the end of the file. Records end at LF or CRLF, and at a
  // lone CR too when the header ends with one (the CR-only line ends of classic Mac
  // exports); otherwise a lone CR is data. A file that ends inside quotes leaves its last
  // record Unterminated().
  bool Read(std::vector<std::string>* fields, std::vector<bool>* quoted) {
    fields->clear();
    quoted->clear();
    unterminated_ = false;
    if (!Peek()) return false;
    start_line_ = line_;
    bool header = records_++ == 0;
    std::string f;
    bool q = false, in_quotes = false;
    while (true) {
      int c = Get();
      if (c < 0) {
        unterminated_ = in_quotes;
        fields->push_back(f), quoted->push_back(q);
        return true;
      }
      if (in_quotes) {
        if (c == '"') {
          if (Peek() && buf_[pos_] == '"') {
            Get();
            f += '"';
          } else {
            in_quotes = false;
          }
        } else {
          if (c == '\n' || (c == '\r' && cr_ends_ && !NextIs('\n'))) ++line_;
          f += static_cast<char>(c);
        }
        continue;
      }
      if (c == '"' && f.empty() && !q) {
        in_quotes = q = true;
      } else if (c == ',') {
        fields->push_back(std::move(f));
        quoted->push_back(q);
        f.clear();
        q = false;
      } else if (c == '\r' && NextIs('\n')) {
        continue;
      } else if (c == '\n' || (c == '\r' && (cr_ends_ || header))) {
        if (c == '\r') cr_ends_ = true;
        ++line_;
        fields->push_back(std::move(f));
        quoted->push_back(q);
        return true;
      } else {
        f += static_cast<char>(c);
      }
    }
  }
  bool Unterminated() const { return unterminated_; }
  int64_t StartLine() const { return start_line_; }

 private:
  void Fill() {
    in_.read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    len_ = static_cast<size_t>(in_.gcount());
    pos_ = 0;
  }
  bool Peek() {
    if (pos_ < len_) return true;
    if (!in_) return false;
    Fill();
    return pos_ < len_;
  }
  int Get() {
    if (!Peek()) return -1;
    return static_cast<unsigned char>(buf_[pos_++]);
  }
  bool NextIs(char c) { return Peek() && buf_[pos_] == c; }
  std::ifstream in_;
  std::string buf_;
  size_t pos_ = 0, len_ = 0;
  int64_t line_ = 1, start_line_ = 1, records_ = 0;
  bool cr_ends_ = false, unterminated_ = false;
};

class CsvCursor : public RowCursor {
 public:
  CsvCursor(const std::string& path, size_t columns) : reader_(path), columns_(columns) {
    std::vector<bool> q;
    reader_.Read(&fields_, &q);  // header
  }
  bool Next() override {
    std::vector<bool> q;
    if (!reader_.Read(&fields_, &q)) return false;
    // A blank line at the end (or anywhere) is not a record.
    if (fields_.size() == 1 && fields_[0].empty() && !q[0] && columns_ > 1) return Next();
    values_.assign(columns_, {});
    error_.reset();
    if (reader_.Unterminated()) {
      error_ = "line " + std::to_string(reader_.StartLine()) +
               ": unterminated quoted field (the file ends inside quotes)";
      return true;
    }
    if (fields_.size() != columns_) {
      error_ = "line " + std::to_string(reader_.StartLine()) + ": expected " +
               std::to_string(columns_) + " fields, found " + std::to_string(fields_.size());
      return true;
    }
    for (size_t i = 0; i < columns_; ++i) {
      if (fields_[i].empty() && !q[i]) continue;
      values_[i].kind = SourceValue::Kind::kText;
      values_[i].s = fields_[i];
    }
    return true;
  }
  const SourceValue& Value(int col) const override { return values_[col]; }
  std::string RowLabel() const override { return "line " + std::to_string(reader_.StartLine()); }
  std::optional<std::string> RowError() const override { return error_; }

 private:
  CsvReader reader_;
  size_t columns_;
  std::vector<std::string> fields_;
  std::vector<SourceValue> values_;
  std::optional<std::string> error_;
};

bool IsInt(const std::string& s) {
  size_t i = s[0] == '-' || s[0] == '+' ? 1 : 0;
  return i < s.size() && s.size() - i <= 18 && std::all_of(s.begin() + i, s.end(), ::isdigit);
}

class CsvSource : public Source {
 public:
  explicit CsvSource(const std::string& dir) : dir_(dir) {
    if (!std::filesystem::is_directory(dir))
      throw std::runtime_error("csv: not a directory: " + dir);
  }
  ~CsvSource() override {
    if (snapshot_) {
      snapshot_.reset();
      std::error_code ec;
      std::filesystem::remove(snapshot_path_, ec);
    }
  }

  // SQL over CSV: the files are loaded once into a temporary SQLite database.
  std::unique_ptr<RowCursor> Query(const std::string& sql,
                                   std::vector<std::string>* columns) override {
    if (!snapshot_) {
      static std::atomic<int> counter{0};
      snapshot_path_ = (std::filesystem::temp_directory_path() /
                        ("corrente_csv_" + std::to_string(::getpid()) + "_" +
                         std::to_string(counter++) + ".db"))
                           .string();
      std::filesystem::remove(snapshot_path_);
      try {
        snapshot_ = SqliteSnapshot(*this, snapshot_path_);
      } catch (...) {
        std::error_code ec;
        std::filesystem::remove(snapshot_path_, ec);
        throw;
      }
    }
    return snapshot_->Query(sql, columns);
  }
  std::string Kind() const override { return "csv"; }
  const TypeMapping& Types() const override { return CsvTypes(); }
  std::string DefaultSchemaName() const override {
    auto p = std::filesystem::path(dir_).lexically_normal();
    if (p.filename().empty()) p = p.parent_path();
    return SanitizeName(p.filename().string());
  }

  std::vector<SourceTable> Tables() override {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir_))
      if (e.is_regular_file() && e.path().extension() == ".csv") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::vector<SourceTable> out;
    for (const auto& f : files) {
      SourceTable t;
      t.name = f.stem().string();
      CsvReader r(f.string());
      std::vector<std::string> header, fields;
      std::vector<bool> q;
      if (!r.Read(&header, &q)) continue;
      if (r.Unterminated())  // the header would be the whole file
        throw std::runtime_error("csv: " + f.filename().string() + ": the header ends inside quotes");
      // Candidate types, narrowed by every value: bigint, numeric, date, timestamp, boolean.
      size_t n = header.size();
      std::vector<int> ok_int(n, 1), ok_dec(n, 1), ok_date(n, 1), ok_ts(n, 1), ok_bool(n, 1),
          seen(n, 0);
      int64_t rows = 0;
      while (r.Read(&fields, &q)) {
        if (fields.size() == 1 && fields[0].empty() && n > 1) continue;
        ++rows;
        if (fields.size() != n || r.Unterminated()) continue;
        for (size_t i = 0; i < n; ++i) {
          const auto& v = fields[i];
          if (v.empty()) {
            if (q[i]) ok_int[i] = ok_dec[i] = ok_date[i] = ok_ts[i] = ok_bool[i] = 0;
            continue;
          }
          seen[i] = 1;
          if (ok_int[i] && !IsInt(v)) ok_int[i] = 0;
          if (ok_dec[i] && !IsDecimalText(v)) ok_dec[i] = 0;
          if (ok_date[i] && (v.size() != 10 || !ParseDate(v))) ok_date[i] = 0;
          if (ok_ts[i] && !ParseTimestamp(v)) ok_ts[i] = 0;
          if (ok_bool[i] && v != "true" && v != "false") ok_bool[i] = 0;
        }
      }
      for (size_t i = 0; i < n; ++i) {
        SourceColumn c;
        c.name = header[i];
        c.declared_type = !seen[i]     ? "text"
                          : ok_int[i]  ? "bigint"
                          : ok_dec[i]  ? "numeric"
                          : ok_date[i] ? "date"
                          : ok_ts[i]   ? "timestamp"
                          : ok_bool[i] ? "boolean"
                                       : "text";
        t.columns.push_back(std::move(c));
      }
      t.estimated_rows = rows;
      paths_.push_back({t.name, f.string()});
      out.push_back(std::move(t));
    }
    return out;
  }

  std::unique_ptr<RowCursor> Scan(const SourceTable& table, const std::vector<std::string>&,
                                  const std::optional<KeyRange>&) override {
    for (const auto& [name, path] : paths_)
      if (name == table.name) return std::make_unique<CsvCursor>(path, table.columns.size());
    return std::make_unique<CsvCursor>(
        (std::filesystem::path(dir_) / (table.name + ".csv")).string(), table.columns.size());
  }

 private:
  std::string dir_;
  std::vector<std::pair<std::string, std::string>> paths_;
  std::string snapshot_path_;
  std::unique_ptr<Source> snapshot_;
};

}  // namespace

std::unique_ptr<Source> OpenCsv(const std::string& dir) { return std::make_unique<CsvSource>(dir); }

}  // namespace corrente::migrate

#include "pg/copy_text.h"

namespace corrente::pg {

std::string_view UnescapeCopyText(std::string_view f, std::string* u) {
  if (f.find('\\') == std::string_view::npos) return f;
  u->clear();
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '\\' || i + 1 == f.size()) {
      *u += f[i];
      continue;
    }
    char e = f[++i];
    switch (e) {
      case 'n':
        *u += '\n';
        break;
      case 't':
        *u += '\t';
        break;
      case 'r':
        *u += '\r';
        break;
      case 'b':
        *u += '\b';
        break;
      case 'f':
        *u += '\f';
        break;
      case 'v':
        *u += '\v';
        break;
      default:
        *u += e;
    }
  }
  return *u;
}

void SplitCopyTextLine(std::string_view line, std::vector<std::string_view>* fields,
                       std::vector<char>* nulls, std::vector<std::string>* scratch) {
  fields->clear();
  bool escaped = line.find('\\') != std::string_view::npos;
  for (size_t start = 0;;) {
    size_t tab = line.find('\t', start);
    fields->push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  if (scratch->size() < fields->size()) scratch->resize(fields->size());
  nulls->assign(fields->size(), 0);
  if (!escaped) return;
  for (size_t i = 0; i < fields->size(); ++i)
    if ((*fields)[i] == "\\N")
      (*nulls)[i] = 1;
    else
      (*fields)[i] = UnescapeCopyText((*fields)[i], &(*scratch)[i]);
}

TextCopyReader::TextCopyReader(Connection& conn, const std::string& sql) : conn_(conn) {
  conn_.Check(PQexec(conn_.Raw(), sql.c_str()), PGRES_COPY_OUT);
}

TextCopyReader::~TextCopyReader() {
  if (buf_) PQfreemem(buf_);
  if (!done_) {
    buf_ = nullptr;
    while (PQgetCopyData(conn_.Raw(), &buf_, 0) > 0) PQfreemem(buf_), buf_ = nullptr;
    while (PGresult* r = PQgetResult(conn_.Raw())) PQclear(r);
  }
}

bool TextCopyReader::Next() {
  if (buf_) PQfreemem(buf_), buf_ = nullptr;
  int n = PQgetCopyData(conn_.Raw(), &buf_, 0);
  if (n == -1) {
    done_ = true;
    conn_.Check(PQgetResult(conn_.Raw()), PGRES_COMMAND_OK);
    while (PGresult* r = PQgetResult(conn_.Raw())) PQclear(r);
    return false;
  }
  if (n < 0) conn_.Check(PQgetResult(conn_.Raw()), PGRES_COMMAND_OK);
  std::string_view line(buf_, static_cast<size_t>(n));
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  SplitCopyTextLine(line, &fields_, &nulls_, &scratch_);
  return true;
}

}  // namespace corrente::pg

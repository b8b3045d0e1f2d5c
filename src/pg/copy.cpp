#include "pg/copy.h"

#include <arpa/inet.h>

#include <bit>
#include <cmath>
#include <cstring>

namespace corrente::pg {
namespace {

constexpr char kHeader[] = "PGCOPY\n\377\r\n\0";  // 11 bytes incl. the final NUL
constexpr size_t kHeaderLen = 11;
constexpr size_t kFlushAt = 1 << 18;

uint16_t Be16(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return ntohs(v);
}
uint32_t Be32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return ntohl(v);
}
uint64_t Be64(const char* p) { return (static_cast<uint64_t>(Be32(p)) << 32) | Be32(p + 4); }

// Appends `s` in NUMERIC's binary wire format to `out`; throws, appending nothing, when it is
// not a decimal.
void AppendNumeric(std::string_view s, std::string* out) {
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  auto dot = s.find('.');
  std::string_view ip = s.substr(0, dot);
  std::string_view fp = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  for (std::string_view part : {ip, fp})
    for (char c : part)
      if (c < '0' || c > '9') throw Error(ErrorKind::kData, "22P02", "not a decimal: " + std::string(s));
  int16_t dscale = static_cast<int16_t>(fp.size());
  // Base-10000 digits, grouped leftwards from the point for the integer part and
  // rightwards for the fraction; no allocation for the usual sizes.
  size_t ipad = (4 - ip.size() % 4) % 4, n = (ip.size() + ipad) / 4 + (fp.size() + 3) / 4;
  int16_t small[32];
  std::vector<int16_t> big;
  int16_t* digits = n <= 32 ? small : (big.resize(n), big.data());
  size_t nd = 0;
  for (size_t i = 0; i < ip.size() + ipad; i += 4) {
    int v = 0;
    for (size_t k = i; k < i + 4; ++k) v = v * 10 + (k < ipad ? 0 : ip[k - ipad] - '0');
    digits[nd++] = static_cast<int16_t>(v);
  }
  int weight = static_cast<int>(nd) - 1;
  for (size_t i = 0; i < fp.size(); i += 4) {
    int v = 0;
    for (size_t k = i; k < i + 4; ++k) v = v * 10 + (k < fp.size() ? fp[k] - '0' : 0);
    digits[nd++] = static_cast<int16_t>(v);
  }
  size_t lead = 0;
  while (lead < nd && digits[lead] == 0) ++lead, --weight;
  while (nd > lead && digits[nd - 1] == 0) --nd;
  if (nd == lead) weight = 0, neg = false;
  size_t at = out->size();
  out->resize(at + 8 + 2 * (nd - lead));
  char* p = out->data() + at;
  auto put16 = [&](uint16_t v) {
    v = htons(v);
    std::memcpy(p, &v, 2);
    p += 2;
  };
  put16(static_cast<uint16_t>(nd - lead));
  put16(static_cast<uint16_t>(static_cast<int16_t>(weight)));
  put16(neg ? 0x4000 : 0x0000);
  put16(static_cast<uint16_t>(dscale));
  for (size_t i = lead; i < nd; ++i) put16(static_cast<uint16_t>(digits[i]));
}

}  // namespace

std::string EncodeNumeric(std::string_view s) {
  std::string out;
  AppendNumeric(s, &out);
  return out;
}

double DecodeNumeric(std::string_view b) {
  if (b.size() < 8) throw Error(ErrorKind::kData, "22P03", "short numeric");
  int nd = Be16(b.data());
  int weight = static_cast<int16_t>(Be16(b.data() + 2));
  uint16_t sign = Be16(b.data() + 4);
  if (sign == 0xC000) return std::nan("");
  double v = 0;
  for (int i = 0; i < nd; ++i) v += Be16(b.data() + 8 + 2 * i) * std::pow(10000.0, weight - i);
  return sign == 0x4000 ? -v : v;
}

CopyWriter::CopyWriter(Connection& conn, const std::string& copy_sql) : conn_(conn) {
  Result r = conn_.Check(PQexec(conn_.Raw(), copy_sql.c_str()), PGRES_COPY_IN);
  if (PQresultStatus(r.Raw()) != PGRES_COPY_IN)
    throw Error(ErrorKind::kQuery, "XX000", "not a COPY FROM STDIN statement: " + copy_sql);
  buf_.reserve(kFlushAt + 4096);
  buf_.append(kHeader, kHeaderLen);
  Put32(0);  // flags
  Put32(0);  // header extension length
}

CopyWriter::~CopyWriter() {
  if (done_) return;
  PQputCopyEnd(conn_.Raw(), "aborted by client");
  while (PGresult* r = PQgetResult(conn_.Raw())) PQclear(r);
}

void CopyWriter::Put32(int32_t v) {
  uint32_t n = htonl(static_cast<uint32_t>(v));
  buf_.append(reinterpret_cast<const char*>(&n), 4);
}

void CopyWriter::Flush() {
  if (buf_.empty()) return;
  if (PQputCopyData(conn_.Raw(), buf_.data(), static_cast<int>(buf_.size())) != 1)
    throw Error(ErrorKind::kConnection, "08006", std::string("COPY failed: ") + PQerrorMessage(conn_.Raw()));
  buf_.clear();
}

void CopyWriter::StartRow(int16_t fields) {
  if (buf_.size() >= kFlushAt) Flush();
  uint16_t n = htons(static_cast<uint16_t>(fields));
  buf_.append(reinterpret_cast<const char*>(&n), 2);
  ++rows_;
}

void CopyWriter::Null() { Put32(-1); }
void CopyWriter::Int16(int16_t v) {
  Put32(2);
  uint16_t n = htons(static_cast<uint16_t>(v));
  buf_.append(reinterpret_cast<const char*>(&n), 2);
}
void CopyWriter::Int32(int32_t v) {
  Put32(4);
  Put32(v);
}
void CopyWriter::Int64(int64_t v) {
  Put32(8);
  Put32(static_cast<int32_t>(static_cast<uint64_t>(v) >> 32));
  Put32(static_cast<int32_t>(static_cast<uint64_t>(v) & 0xffffffffu));
}
void CopyWriter::Float8(double v) { Int64(std::bit_cast<int64_t>(v)); }
void CopyWriter::Bool(bool v) {
  Put32(1);
  buf_.push_back(v ? 1 : 0);
}
void CopyWriter::Text(std::string_view v) {
  Put32(static_cast<int32_t>(v.size()));
  buf_.append(v);
}
void CopyWriter::Jsonb(std::string_view json) {
  Put32(static_cast<int32_t>(json.size() + 1));
  buf_.push_back(1);  // jsonb binary format version
  buf_.append(json);
}
void CopyWriter::Date(int64_t days) { Int32(static_cast<int32_t>(days - kPgEpochDays)); }
void CopyWriter::Timestamp(int64_t micros) { Int64(micros - kPgEpochMicros); }
void CopyWriter::Numeric(double v, int scale) {
  if (std::isnan(v)) {
    Put32(8);
    Put32(0);
    Put32(static_cast<int32_t>(0xC0000000u));
    return;
  }
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", scale, v);
  NumericText(text);
}
void CopyWriter::NumericText(std::string_view decimal) {
  size_t at = buf_.size();
  Put32(0);  // the length, set below
  try {
    AppendNumeric(decimal, &buf_);
  } catch (...) {
    buf_.resize(at);
    throw;
  }
  uint32_t n = htonl(static_cast<uint32_t>(buf_.size() - at - 4));
  std::memcpy(&buf_[at], &n, 4);
}
void CopyWriter::NumericInt(int64_t v) {
  uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  uint16_t groups[5];
  int n = 0;
  while (mag > 0) {
    groups[n++] = static_cast<uint16_t>(mag % 10000);
    mag /= 10000;
  }
  int weight = n - 1;
  int lo = 0;  // trailing zero groups are implied by the weight
  while (lo < n && groups[lo] == 0) ++lo;
  int ndigits = n - lo;
  Put32(8 + 2 * ndigits);
  auto put16 = [&](uint16_t x) {
    x = htons(x);
    buf_.append(reinterpret_cast<const char*>(&x), 2);
  };
  put16(static_cast<uint16_t>(ndigits));
  put16(static_cast<uint16_t>(static_cast<int16_t>(ndigits == 0 ? 0 : weight)));
  put16(v < 0 ? 0x4000 : 0);
  put16(0);
  for (int i = n - 1; i >= lo; --i) put16(groups[i]);
}
void CopyWriter::Raw(std::string_view bytes) { Text(bytes); }

int64_t CopyWriter::Finish() {
  if (done_) throw std::logic_error("COPY already finished");
  buf_.append("\xff\xff", 2);
  Flush();
  done_ = true;
  if (PQputCopyEnd(conn_.Raw(), nullptr) != 1)
    throw Error(ErrorKind::kConnection, "08006", std::string("COPY end failed: ") + PQerrorMessage(conn_.Raw()));
  int64_t n = 0;
  std::optional<Error> err;
  while (PGresult* r = PQgetResult(conn_.Raw())) {
    try {
      Result res = conn_.Check(r);
      n = res.AffectedRows();
    } catch (const Error& e) {
      if (!err) err = e;
    }
  }
  if (err) throw *err;
  return n;
}

CopyReader::CopyReader(Connection& conn, const std::string& copy_sql) : conn_(conn) {
  Result r = conn_.Check(PQexec(conn_.Raw(), copy_sql.c_str()), PGRES_COPY_OUT);
  if (PQresultStatus(r.Raw()) != PGRES_COPY_OUT)
    throw Error(ErrorKind::kQuery, "XX000", "not a COPY TO STDOUT statement");
}

CopyReader::~CopyReader() {
  if (row_) PQfreemem(row_);
  if (done_) return;
  // Drain so the connection is usable again (or cancel a long COPY).
  if (PGcancel* c = PQgetCancel(conn_.Raw())) {
    char err[256];
    PQcancel(c, err, sizeof err);
    PQfreeCancel(c);
  }
  char* buf = nullptr;
  while (PQgetCopyData(conn_.Raw(), &buf, 0) >= 0) PQfreemem(buf);
  while (PGresult* r = PQgetResult(conn_.Raw())) PQclear(r);
}

bool CopyReader::Next() {
  if (done_) return false;
  if (row_) {
    PQfreemem(row_);
    row_ = nullptr;
  }
  int len = PQgetCopyData(conn_.Raw(), &row_, 0);
  if (len == -1) {
    done_ = true;
    std::optional<Error> err;
    while (PGresult* r = PQgetResult(conn_.Raw())) {
      try {
        conn_.Check(r);
      } catch (const Error& e) {
        if (!err) err = e;
      }
    }
    if (err) throw *err;
    return false;
  }
  if (len < 0) throw Error(ErrorKind::kConnection, "08006", std::string("COPY read failed: ") + PQerrorMessage(conn_.Raw()));
  const char* p = row_;
  const char* end = row_ + len;
  if (!header_seen_) {
    if (len < 19 || std::memcmp(p, kHeader, kHeaderLen) != 0)
      throw Error(ErrorKind::kData, "22P04", "bad binary COPY header");
    uint32_t ext = Be32(p + 15);
    p += 19 + ext;
    header_seen_ = true;
  }
  if (end - p < 2) throw Error(ErrorKind::kData, "22P04", "truncated COPY tuple");
  int16_t n = static_cast<int16_t>(Be16(p));
  p += 2;
  if (n == -1) return Next();  // trailer; the next call returns -1
  fields_.assign(n, std::nullopt);
  for (int i = 0; i < n; ++i) {
    if (end - p < 4) throw Error(ErrorKind::kData, "22P04", "truncated COPY field");
    int32_t flen = static_cast<int32_t>(Be32(p));
    p += 4;
    if (flen < 0) continue;
    if (end - p < flen) throw Error(ErrorKind::kData, "22P04", "truncated COPY field");
    fields_[i] = std::string_view(p, flen);
    p += flen;
  }
  return true;
}

int32_t CopyReader::Int32(int i) const { return static_cast<int32_t>(Be32(fields_[i]->data())); }
int64_t CopyReader::Int64(int i) const {
  const auto& f = *fields_[i];
  if (f.size() == 2) return static_cast<int16_t>(Be16(f.data()));
  if (f.size() == 4) return static_cast<int32_t>(Be32(f.data()));
  return static_cast<int64_t>(Be64(f.data()));
}
double CopyReader::Float8(int i) const { return std::bit_cast<double>(Be64(fields_[i]->data())); }

}  // namespace corrente::pg
